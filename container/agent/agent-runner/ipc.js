'use strict';
// The IPC folder as the container sees it: follow-ups and `_close` arrive in input/.

const fs = require('fs');
const path = require('path');

const IPC_DIR = process.env.PINCER_AGENT_IPC_DIR || '/workspace/ipc';
const INPUT_DIR = path.join(IPC_DIR, 'input');
const CLOSE_FILE = path.join(INPUT_DIR, '_close');

function log(message) {
  process.stderr.write(`[agent-runner] ${message}\n`);
}

/** True (and deletes it) when the host asked the container to finish. */
function takeClose() {
  try {
    fs.unlinkSync(CLOSE_FILE);
    return true;
  } catch {
    return false;
  }
}

/** Texts of pending `{"type":"message"}` files in name order; each file is deleted. */
function takeMessages() {
  let names;
  try {
    names = fs.readdirSync(INPUT_DIR).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const texts = [];
  for (const name of names) {
    const file = path.join(INPUT_DIR, name);
    try {
      const msg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (msg && msg.type === 'message' && typeof msg.text === 'string') texts.push(msg.text);
      else log(`skipping ${name}: not a message`);
    } catch (e) {
      log(`skipping ${name}: ${e.message}`);
    }
    try {
      fs.unlinkSync(file);
    } catch {
      /* already gone */
    }
  }
  return texts;
}

/**
 * Looks into input/: `_close` is noted first, then messages are taken, so messages the
 * host wrote before closing are still answered.
 */
function takeInput() {
  const close = fs.existsSync(CLOSE_FILE);
  const messages = takeMessages();
  if (close) takeClose();
  return { messages, close };
}

module.exports = { IPC_DIR, INPUT_DIR, takeInput, takeClose, log };
