export { Namespace, NamespaceProps } from './namespace';
export { Router, RouterProps, RouterConnectOptions } from './router';
export { HostRouter, HostRouterProps } from './host-router';
export { HostSysctl, HostSysctlProps } from './host-sysctl';
export { VethPair, VethPairProps, VethEndProps } from './veth-pair';
export { Bridge, BridgeProps } from './bridge';
export { VlanInterface, VlanInterfaceProps } from './vlan-interface';
export { Route, RouteProps } from './route';
export { Interface } from './interface';
export { ImportedInterfaceProps } from './imported-interface';
export { INamespace, IInterface, IBridge, BridgePortVlans } from './core/types';
export { NetnsError } from './core/errors';
export {
  Backend, BACKEND_CONTEXT, PREFIX_CONTEXT, STATE_DIR_CONTEXT, DEFAULT_BACKEND, DEFAULT_STATE_DIR,
} from './core/settings';
