import { Flags } from '@oclif/core';
import { aliasCommands, runAliasCommand, startMetadataProxy, stopMetadataProxy, type MetadataProxy } from '../server/ec2Proxy.js';
import { VaultCommand } from '../vaultCommand.js';

export default class Proxy extends VaultCommand {
  static override summary = 'Start a proxy for the ec2 instance role server locally.';
  static override description =
    'The privileged half of `vault exec --ec2-server`, started by it with `sudo -b`: adds 169.254.169.254 to the loopback interface, listens on port 80 there and passes requests to the credential server on 127.0.0.1:9099. Ends on SIGINT, SIGTERM or `vault proxy --stop`, removing the address.';
  static override hidden = true;
  static override hiddenAliases = ['server'];
  static override flags = {
    stop: Flags.boolean({ description: 'Stop the proxy', default: false }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseVault(Proxy);
    if (flags.stop) {
      await stopMetadataProxy();
      return;
    }
    const commands = aliasCommands();
    await runAliasCommand(commands.add, this.debugLog);
    let removed = false;
    const removeAlias = async () => {
      if (removed) return;
      removed = true;
      await runAliasCommand(commands.remove, this.debugLog).catch((error: Error) => process.stderr.write(`vault: error: ${error.message}\n`));
    };
    let proxy: MetadataProxy;
    try {
      proxy = await startMetadataProxy({ debug: this.debugLog });
    } catch (error) {
      await removeAlias();
      throw error;
    }
    const signalled = new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await Promise.race([proxy.stopRequested, signalled]);
    await proxy.close();
    await removeAlias();
  }
}
