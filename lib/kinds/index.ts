import { Kind } from '../engine/kind';
import { ADDRESS } from './address';
import { BRIDGE } from './bridge';
import { EXT_NAMESPACE } from './ext-namespace';
import { HOST_SYSCTL } from './host-sysctl';
import { NAMESPACE } from './namespace';
import { NFT } from './nft';
import { NS_SYSCTL } from './ns-sysctl';
import { PORT } from './port';
import { QDISC } from './qdisc';
import { ROUTE } from './route';
import { VETH } from './veth';
import { VLAN } from './vlan';
import { VXLAN } from './vxlan';

export { ADDRESS, BRIDGE, EXT_NAMESPACE, HOST_SYSCTL, NAMESPACE, NFT, NS_SYSCTL, PORT, QDISC, ROUTE, VETH, VLAN, VXLAN };

/** Every kind the engine knows, in creation order. */
export const KINDS: readonly Kind[] = [EXT_NAMESPACE, NAMESPACE, NS_SYSCTL, BRIDGE, VETH, VLAN, VXLAN, PORT, ADDRESS, ROUTE, QDISC, HOST_SYSCTL, NFT];

export const KINDS_BY_NAME: ReadonlyMap<string, Kind> = new Map(KINDS.map((k) => [k.name, k]));

/** The kinds table at the top of a data file (read by plan.awk and gen.awk). */
export function kindsTable(): string[] {
  return KINDS.map((k) => `kind ${k.name} ${k.identity} ${k.phase} ${k.namespaceFields.length ? k.namespaceFields.join(',') : '0'}`);
}
