/** A `client_msg_id` chosen by the page, so it can show the message before the server echoes it. */
export function newMessageId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return 'web_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
