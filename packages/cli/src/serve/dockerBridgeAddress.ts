import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { VaultError } from '@awsvault/core';

/** The bridge Docker creates on Linux; containers reach the host at its address (`host-gateway`). */
export const DOCKER_BRIDGE = 'docker0';

/**
 * The IPv4 address of the `docker0` bridge, which `host.docker.internal` resolves to in containers
 * started with `--add-host=host.docker.internal:host-gateway` (Docker's default host-gateway). No
 * bridge, or one without an IPv4 address, is a one-line error.
 */
export function dockerBridgeAddress(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces()): string {
  const found = (interfaces[DOCKER_BRIDGE] ?? []).find((info) => info.family === 'IPv4' && !info.internal);
  if (!found) {
    throw new VaultError('SERVE_NO_DOCKER', `--docker: this machine has no ${DOCKER_BRIDGE} network interface with an IPv4 address`, {
      hint: 'start Docker, or pass --bind with the address containers reach this machine on',
    });
  }
  return found.address;
}
