'use strict';
// One `claude -p` query: prompt on stdin, JSON result on stdout.

const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

const CLAUDE_BIN = process.env.PINCER_CLAUDE_BIN || 'claude';
const EXTRA_DIR = '/workspace/extra';
const OUTPUT_CAP = 10 * 1024 * 1024;

let running = null;

/** Directories mounted under /workspace/extra, passed with --add-dir so their CLAUDE.md loads. */
function extraDirs() {
  try {
    return fs
      .readdirSync(EXTRA_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => path.join(EXTRA_DIR, d.name));
  } catch {
    return [];
  }
}

/** The argument vector for one query. */
function claudeArgs({ sessionId, appendSystemPrompt }) {
  const args = ['-p', '--output-format', 'json', '--permission-mode', 'bypassPermissions'];
  if (sessionId) args.push('--resume', sessionId);
  if (appendSystemPrompt) args.push('--append-system-prompt', appendSystemPrompt);
  if (process.env.PINCER_CLAUDE_MODEL) args.push('--model', process.env.PINCER_CLAUDE_MODEL);
  const dirs = extraDirs();
  if (dirs.length > 0) args.push('--add-dir', ...dirs);
  return args;
}

function tail(text, n) {
  return text.length > n ? text.slice(-n) : text;
}

/**
 * Runs one query. Resolves to {ok: true, result, sessionId} or {ok: false, error}; never
 * rejects.
 */
function runClaude({ prompt, sessionId, appendSystemPrompt }) {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(CLAUDE_BIN, claudeArgs({ sessionId, appendSystemPrompt }), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running = child;
    child.stdout.on('data', (c) => {
      if (stdout.length < OUTPUT_CAP) stdout += c;
    });
    child.stderr.on('data', (c) => {
      if (stderr.length < OUTPUT_CAP) stderr += c;
    });
    child.on('error', (e) => {
      running = null;
      resolve({ ok: false, error: `cannot start ${CLAUDE_BIN}: ${e.message}` });
    });
    child.on('close', (code, signal) => {
      running = null;
      let parsed = null;
      try {
        parsed = JSON.parse(stdout.trim().split('\n').pop() || 'null');
      } catch {
        parsed = null;
      }
      if (parsed && parsed.type === 'result' && !parsed.is_error && code === 0) {
        resolve({ ok: true, result: parsed.result ?? null, sessionId: parsed.session_id || null });
        return;
      }
      const reason =
        (parsed && typeof parsed.result === 'string' && parsed.result) ||
        tail(stderr.trim(), 500) ||
        tail(stdout.trim(), 500) ||
        `claude exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
      resolve({ ok: false, error: reason });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(prompt);
  });
}

/** Stops a running query (used when the container is asked to stop). */
function killClaude(signal = 'SIGTERM') {
  if (running) running.kill(signal);
}

module.exports = { runClaude, killClaude, claudeArgs };
