import { App } from 'cdktf';
import { HostProps } from '../../lib';
import { TwoHostsStack } from './stack';

/**
 * The machines come from the environment: RACK1 and RACK2 (IP addresses), and optionally
 * RACK1_HOST_KEY / RACK2_HOST_KEY (pinned host keys, "ssh-ed25519 AAAA...") and SSH_KEY_FILE (a
 * private key file; needs the terraform_data backend, else Terraform uses the SSH agent).
 */
function host(name: string): HostProps {
  const address = process.env[name];
  if (!address) throw new Error(`two-hosts: set ${name} to the IP address of that machine (see the README's "Labs across machines")`);
  return {
    address,
    hostKey: process.env[`${name}_HOST_KEY`] || undefined,
    privateKeyFile: process.env.SSH_KEY_FILE || undefined,
  };
}

const app = new App();
new TwoHostsStack(app, 'two-hosts', { rack1: host('RACK1'), rack2: host('RACK2') });
app.synth();
