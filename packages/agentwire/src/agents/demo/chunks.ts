/**
 * Splits an answer into parts of a few words for `agent_message_delta`, keeping every
 * character, so the parts joined are exactly the answer.
 */
export function answerChunks(answer: string, wordsPerChunk = 3): string[] {
  const words = answer.match(/\s*\S+\s*/g) ?? [];
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(''));
  return chunks;
}
