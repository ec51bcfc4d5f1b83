// The API key lives in SecretStorage only; EVOLINK_API_KEY is the fallback when none is stored.
import * as vscode from 'vscode';
import { keyProblem } from '../../core/api/key';

const SECRET_ID = 'pictor.apiKey';
export const KEYS_PAGE = 'https://evolink.ai/dashboard/keys';

export class ApiKeyStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The key to use: the stored one, else the environment's. Never logged. */
  async get(): Promise<string | undefined> {
    const stored = await this.secrets.get(SECRET_ID);
    if (stored) return stored;
    const env = process.env.EVOLINK_API_KEY?.trim();
    return env || undefined;
  }

  /**
   * Stores a key; returns what is wrong with it instead when it could not be sent (a space or line
   * break inside, a character outside plain ASCII), and then stores nothing.
   */
  async set(key: string): Promise<string | undefined> {
    const problem = validateKey(key);
    if (problem) return problem;
    await this.secrets.store(SECRET_ID, key.trim());
    return undefined;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_ID);
  }

  /** Asks for a key with a password box; returns true when one was stored. */
  async prompt(): Promise<boolean> {
    const value = await this.ask();
    if (!value) return false;
    return (await this.set(value)) === undefined;
  }

  /** The password box alone: the key typed, not stored (Set API Key checks it first). */
  async ask(): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Pictor: Set API Key'),
      prompt: vscode.l10n.t('Paste your EvoLink API key (it starts with sk-evo-). It is kept in VS Code\'s secret storage.'),
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-evo-…',
      validateInput: (v) => validateKey(v),
    });
    return value?.trim() || undefined;
  }
}

/** Why a typed or pasted key cannot be used, in the user's language; undefined when it can. */
export function validateKey(raw: string): string | undefined {
  const p = keyProblem(raw.trim());
  if (!p) return undefined;
  switch (p.kind) {
    case 'empty':
    case 'short':
      return vscode.l10n.t('This does not look like an API key.');
    case 'whitespace':
      return vscode.l10n.t('The key has a space or line break inside it (at character {0}). Paste only the key.', p.index + 1);
    case 'character':
      return vscode.l10n.t(
        'The key contains a character that cannot be sent ({0}, at character {1}). EvoLink keys have only plain letters, digits and symbols: copy the key again from your dashboard.',
        p.codePoint, p.index + 1);
  }
}
