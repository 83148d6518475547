import { Args } from '@oclif/core';
import { clearAllSessions, clearProfileSessions, ssoStartUrlForProfile } from '@awsvault/core';
import { VaultCommand } from '../vaultCommand.js';

export default class Clear extends VaultCommand {
  static override summary = 'Clear temporary credentials from the secure keystore.';
  static override description =
    'Deletes cached STS sessions and SSO access tokens: all of them, or those of one profile (its sessions and the SSO token of its start URL). Stored access keys are never touched.';
  static override enableJsonFlag = true;
  static override examples = ['<%= config.bin %> clear', '<%= config.bin %> clear dev', '<%= config.bin %> clear --json'];
  static override args = {
    profile: Args.string({ description: 'Name of the profile', required: false }),
  };

  async run(): Promise<{ cleared: number }> {
    const { flags, args } = await this.parseVault(Clear);
    const backend = await this.openBackend(flags);
    let cleared: number;
    if (args.profile === undefined) {
      const counts = await clearAllSessions(backend);
      this.debugLog(`cleared ${counts.legacy} legacy sessions, ${counts.sessions} sessions and ${counts.oidcTokens} SSO tokens`);
      cleared = counts.total;
    } else {
      const startUrl = ssoStartUrlForProfile(this.awsConfig(), args.profile, this.env());
      const counts = await clearProfileSessions(backend, args.profile, startUrl);
      this.debugLog(`profile ${args.profile}: cleared ${counts.sessions} sessions and ${counts.oidcTokens} SSO tokens${startUrl ? ` (start URL ${startUrl})` : ''}`);
      cleared = counts.total;
    }
    this.log(`Cleared ${cleared} sessions.`);
    return { cleared };
  }
}
