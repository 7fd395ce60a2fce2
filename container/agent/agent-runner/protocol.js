'use strict';
// pincer's container protocol: the input JSON on stdin, results as framed blocks on stdout.

const MARKERS = {
  pincer: ['---PINCER_OUTPUT_START---', '---PINCER_OUTPUT_END---'],
  nanoclaw: ['---NANOCLAW_OUTPUT_START---', '---NANOCLAW_OUTPUT_END---'],
};

/** The marker pair: NanoClaw's with --nanoclaw-markers or PINCER_MARKERS=nanoclaw. */
function markers() {
  const nanoclaw =
    process.argv.includes('--nanoclaw-markers') || process.env.PINCER_MARKERS === 'nanoclaw';
  return nanoclaw ? MARKERS.nanoclaw : MARKERS.pincer;
}

/** Reads all of stdin as text. */
function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

/** Parses and checks the input JSON; throws an Error naming what is wrong. */
function parseInput(text) {
  let input;
  try {
    input = JSON.parse(text);
  } catch (e) {
    throw new Error(`input is not JSON: ${e.message}`);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new Error('input must be a JSON object');
  if (typeof input.prompt !== 'string') throw new Error("field 'prompt' is missing or not a string");
  return {
    prompt: input.prompt,
    sessionId: typeof input.sessionId === 'string' && input.sessionId !== '' ? input.sessionId : null,
    groupFolder: String(input.groupFolder ?? ''),
    chatJid: String(input.chatJid ?? ''),
    isMain: input.isMain === true,
    isScheduledTask: input.isScheduledTask === true,
    assistantName: String(input.assistantName ?? ''),
  };
}

/** Prints one block: {status, result, newSessionId?, error?}. */
function writeOutput(block) {
  const [start, end] = markers();
  const out = { status: block.status, result: block.result ?? null };
  if (block.newSessionId) out.newSessionId = block.newSessionId;
  if (block.error) out.error = block.error;
  process.stdout.write(`${start}\n${JSON.stringify(out)}\n${end}\n`);
}

module.exports = { markers, readStdin, parseInput, writeOutput };
