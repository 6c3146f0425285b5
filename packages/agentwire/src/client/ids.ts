/**
 * A random `client_msg_id`. Uses getRandomValues, which (unlike randomUUID) also exists
 * on pages served over plain http from a LAN address.
 */
export function newClientMsgId(): string {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return 'cm_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
