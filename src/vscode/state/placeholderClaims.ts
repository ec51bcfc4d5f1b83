// The claims the extension takes on the placeholders it sends (see core/claims.ts): in the per-user
// folder every face of Pictor shares (core/stateDir.ts) and, for one release, in the folder Pictor 0.2
// used (the profile's global storage) too. A window still running 0.2 after an update claims only
// there: taking the claim in both folders keeps it from sending what this one is generating, and this
// one from sending what it is. Remove the second folder (and ClaimRef.legacyKey in jobMeta.ts) in the release after 0.3.
import type * as vscode from 'vscode';
import type { ClaimInfo, ClaimRegistry } from '../../core/claims';
import type { ClaimRef } from './jobMeta';
import { legacyClaimKey, placeholderClaimKey } from '../run/runTypes';

type ClaimResult = Awaited<ReturnType<ClaimRegistry['claim']>>;

export class PlaceholderClaims {
  constructor(
    private readonly shared: ClaimRegistry,
    private readonly legacy?: ClaimRegistry,
  ) {}

  /** The claim `owner` takes on the placeholder `source` of `doc`. */
  async ref(doc: vscode.TextDocument, source: string, owner: string): Promise<ClaimRef> {
    return { key: await placeholderClaimKey(doc, source), owner, legacyKey: legacyClaimKey(doc, source) };
  }

  /** Takes the claim in every folder, or in none: held in one means held. */
  async claim(ref: ClaimRef): Promise<ClaimResult> {
    const c = await this.shared.claim(ref.key, ref.owner);
    if (c.result !== 'acquired' || !this.legacy) return c;
    const old = await this.legacy.claim(ref.legacyKey ?? ref.key, ref.owner);
    if (old.result !== 'acquired') await this.shared.release(ref.key, ref.owner).catch(() => undefined);
    return old;
  }

  /** Takes a resumed job's claim again, in this process (see ClaimRegistry.acquire). */
  async acquire(ref: ClaimRef): Promise<void> {
    await this.shared.acquire(ref.key, ref.owner);
    await this.legacy?.acquire(ref.legacyKey ?? ref.key, ref.owner);
  }

  async release(ref: ClaimRef): Promise<void> {
    try {
      await this.shared.release(ref.key, ref.owner);
    } finally {
      await this.legacy?.release(ref.legacyKey ?? ref.key, ref.owner);
    }
  }

  /** Who holds the placeholder `source` of `doc` elsewhere, if anyone. */
  async holder(doc: vscode.TextDocument, source: string): Promise<ClaimInfo | undefined> {
    return (await this.shared.holder(await placeholderClaimKey(doc, source))) ?? (await this.legacy?.holder(legacyClaimKey(doc, source)));
  }

  /** See ClaimRegistry.releaseOrphans, for both folders. */
  async releaseOrphans(ownedByLiveJob: (owner: string) => boolean): Promise<number> {
    return (await this.shared.releaseOrphans(ownedByLiveJob)) + ((await this.legacy?.releaseOrphans(ownedByLiveJob)) ?? 0);
  }
}
