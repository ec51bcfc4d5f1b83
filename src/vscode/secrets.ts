// The API key lives in SecretStorage only; EVOLINK_API_KEY is the fallback when none is stored.
import * as vscode from 'vscode';

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


  async set(key: string): Promise<void> {
    await this.secrets.store(SECRET_ID, key.trim());
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_ID);
  }

  /** Asks for a key with a password box; returns true when one was stored. */
  async prompt(): Promise<boolean> {
    const value = await this.ask();
    if (!value) return false;
    await this.set(value);
    return true;
  }

  /** The password box alone: the key typed, not stored (Set API Key checks it first). */
  async ask(): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Pictor: Set API Key'),
      prompt: vscode.l10n.t('Paste your EvoLink API key (it starts with sk-evo-). It is kept in VS Code\'s secret storage.'),
      password: true,
      ignoreFocusOut: true,
      placeHolder: 'sk-evo-…',
      validateInput: (v) => (v.trim().length < 8 ? vscode.l10n.t('This does not look like an API key.') : undefined),
    });
    return value?.trim() || undefined;
  }
}
