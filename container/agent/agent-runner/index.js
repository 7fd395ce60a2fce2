'use strict';
// pincer agent runner: reads the input JSON on stdin, answers with `claude -p`, prints one
// output block per query, then answers follow-ups from /workspace/ipc/input until `_close`.

const fs = require('fs');
const { readStdin, parseInput, writeOutput } = require('./protocol');
const { takeInput, takeClose, log } = require('./ipc');
const { runClaude, killClaude } = require('./claude');

const POLL_MS = Number(process.env.PINCER_AGENT_POLL_MS) || 500;
const GLOBAL_MEMORY = '/workspace/global/CLAUDE.md';
const SCHEDULED_PREFIX =
  '[SCHEDULED TASK - The following message was sent automatically and is not coming ' +
  'directly from the user or group.]\n\n';

let closeRequested = false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The global memory, appended to the system prompt of non-main groups. */
function globalMemory(isMain) {
  if (isMain) return null;
  try {
    const text = fs.readFileSync(GLOBAL_MEMORY, 'utf8').trim();
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

/** Waits for follow-ups: resolves to their joined text, or null on `_close`. */
async function nextPrompt() {
  for (;;) {
    const { messages, close } = takeInput();
    if (messages.length > 0) {
      if (close) closeRequested = true;
      return messages.join('\n');
    }
    if (close) return null;
    await sleep(POLL_MS);
  }
}

function fail(message) {
  writeOutput({ status: 'error', result: null, error: message });
  process.exit(1);
}

async function main() {
  let input;
  try {
    input = parseInput(await readStdin());
  } catch (e) {
    fail(`invalid input: ${e.message}`);
  }

  // Follow-ups that arrived before start-up join the first prompt.
  const pending = takeInput();
  closeRequested = pending.close;
  let prompt = [input.prompt, ...pending.messages].join('\n');
  if (input.isScheduledTask) prompt = SCHEDULED_PREFIX + prompt;

  const appendSystemPrompt = globalMemory(input.isMain);
  let sessionId = input.sessionId;

  for (;;) {
    // A `_close` written while the query runs ends the container after this answer.
    const watcher = setInterval(() => {
      if (takeClose()) closeRequested = true;
    }, POLL_MS);
    const answer = await runClaude({ prompt, sessionId, appendSystemPrompt });
    clearInterval(watcher);

    if (!answer.ok) fail(answer.error);
    sessionId = answer.sessionId || sessionId;
    writeOutput({ status: 'success', result: answer.result, newSessionId: sessionId });
    if (closeRequested) break;

    const next = await nextPrompt();
    if (next === null) break;
    prompt = next;
  }
  process.exit(0);
}

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    killClaude('SIGTERM');
    process.exit(sig === 'SIGTERM' ? 143 : 130);
  });
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
