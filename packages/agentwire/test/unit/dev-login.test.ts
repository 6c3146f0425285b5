import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { createDevLogin } from '../../src/auth/dev-login.js';

const devLogin = createDevLogin('dev-login-test-secret-0123456789abcdef', 60_000);

describe('dev login names', () => {
  it.each(["Renée O'Brien", 'Zoë d’Arc', 'José-María', 'ada', 'bob.smith@example', '李小龍'])('accepts %s as it is written', async (name) => {
    const { token } = await devLogin.login(name);
    expect(decodeJwt(token).sub).toBe(name);
  });

  it('treats a decomposed accent as the same name (NFC)', async () => {
    const { token } = await devLogin.login('Rene\u0301e');
    expect(decodeJwt(token).sub).toBe('Renée');
  });

  it.each(['', '   ', '-dash first', 'a'.repeat(65), 'semi;colon', '<script>'])('refuses %j with a message about the name', async (name) => {
    await expect(devLogin.login(name)).rejects.toThrow(/A name is 1-64 characters/);
  });
});
