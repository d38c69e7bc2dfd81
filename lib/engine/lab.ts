import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { Annotations, CDK_MODULE, ITerraformDependable, TerraformStack } from '../core/cdk';
import { Construct, IConstruct } from 'constructs';
import { fail, message, NetnsError } from '../core/errors';
import { ParsedCidr, ParsedIp, subnetContains } from '../core/ip';
import { ownerOf, shortHash, stateDirOf } from '../core/settings';
import { describeNamespace, hostKeyOf, IHost, INamespace } from '../core/types';
import { HOST_SYSCTL, kindsTable, NAMESPACE, NS_SYSCTL } from '../kinds';
import { DATA_FILE, ENGINE_DIR, ENGINE_SCRIPT, engineFiles, hostLayout, INTENTS_FILE, sha256 } from './files';
import { IntentEntry, intentLine, intentsFile } from './intents';
import { identityOf, Kind, line, Values } from './kind';
import { LabResource } from './resource';

/** What the lab needs to know of a managed interface for its cross-construct checks. */
export interface LabInterface {
  readonly owner: IConstruct;
  readonly interfaceName: string;
  readonly namespace: INamespace;
  readonly parsedAddresses: ParsedCidr[];
  /** VLAN id and parent, for the layer-2 segment computation. */
  readonly vlan?: { parent: LabInterface | string; vid: number };
}

interface RouteEntry {
  readonly owner: IConstruct;
  readonly rawDestination: string;
  readonly namespace: INamespace;
  readonly family: 4 | 6;
  readonly destination: string;
  readonly via: ParsedIp;
}

/** A traffic-policy construct that needs its namespace to forward (Masquerade, PortForward, forward rules). */
interface ForwardingNeed {
  readonly owner: IConstruct;
  readonly namespace: INamespace;
  readonly what: string;
  /** Any of these families forwarding will do. */
  readonly families: ReadonlyArray<4 | 6>;
  readonly why: string;
  /** Evaluated at synthesis (a Firewall's forward rules may be added later). */
  readonly when?: () => boolean;
}

/** What the late checks read of the declared objects. */
interface DeclaredFacts {
  /** Namespaces the lab makes (`HOST|NAME`: not a root namespace, not imported ones): what they hold is all declared here. */
  readonly managed: ReadonlySet<string>;
  /** Sysctls set to 1: `HOST|NS KEY` (`HOST|- KEY` for a root namespace; HOST is '' for the local machine). */
  readonly on: ReadonlySet<string>;
}

/** The chains a namespace's Firewall filters. */
export interface FirewallChains {
  readonly input?: 'accept' | 'drop';
  readonly forward?: 'accept' | 'drop';
}

/** One declared kernel object (or a function that yields some, evaluated at synthesis), and the machine it lives on ('' here). */
type Contribution = { owner: IConstruct; host: string; objects: () => Array<[Kind, Values]> };

/** A remote machine as the lab sees it: its name and its validated connection data. */
export interface LabHost extends IHost, IConstruct {
  readonly connection: Readonly<Record<string, string | undefined>>;
}

/**
 * The three resources of one machine's lab (the local machine's, or a Host's): each machine is
 * its own unit, with its own data file, record and teardown, applied in parallel with the others.
 */
interface HostUnit {
  readonly teardown: LabResource;
  readonly unit: LabResource;
  readonly seal: LabResource;
  dataHash?: string;
  written?: LabData;
}

/** The synthesized lab: its data file and the triggers that carry it into the plan. */
export interface LabData {
  readonly text: string;
  readonly hash: string;
  readonly lines: string[];
  readonly triggers: Record<string, string>;
}

const LAB_ID = 'cdktf-netns';

/** The namespace token of data lines: `-` for the host's own namespace. */
export const nsToken = (ns: INamespace): string => (ns.isHost ? '-' : ns.namespaceName);

/** A namespace's key in the lab's registries: its machine and its token (one name may be used on each machine). */
export const nsKey = (ns: INamespace): string => `${hostKeyOf(ns)}|${nsToken(ns)}`;

/**
 * One per stack: every kernel object the stack declares, and, per machine
 * (the local one when something is declared on it, and each Host), the three
 * resources that carry them to its kernel (on a Host, over SSH):
 *  - `Teardown` (created first, destroyed last; its triggers never change
 *    while the lab's identity stays): its destroy step removes everything the
 *    lab's record lists;
 *  - `Lab` (replaced whenever the declared objects change; one trigger key per
 *    namespace holding the lines of the objects that live there, so
 *    `terraform plan` names the namespaces that change and shows the changed
 *    lines): its create step
 *    reconciles the kernel with the data file, touching only the difference
 *    with what it applied last;
 *  - `Seal` (replaced with the Lab, or when the intents change): finishes an
 *    interrupted apply, then probes the machine's intents.
 * It also runs the cross-construct validations over all machines (addresses
 * per layer-2 segment, VXLAN included; gateways on connected subnets; names
 * unique per machine and namespace).
 */
export class Lab extends Construct {
  public static of(scope: IConstruct): Lab {
    const stack = TerraformStack.of(scope);
    // cdktf and cdktn stacks look alike to TerraformStack.of (same type markers) but fail
    // at synth when mixed with the other's resources: say which entry point to use
    if (!(stack instanceof TerraformStack)) {
      fail(
        scope,
        `its stack is not a TerraformStack of ${CDK_MODULE}, the CDK this cdktf-netns entry point is built for`,
        (stack as IConstruct).node.path,
        "in a CDK Terrain app (cdktn) import the constructs from 'cdktf-netns/cdktn', in a cdktf app from 'cdktf-netns'; and keep one copy of the CDK (npm ls cdktf cdktn)",
      );
    }
    const existing = stack.node.tryFindChild(LAB_ID);
    if (existing) return existing as Lab;
    return new Lab(stack, LAB_ID);
  }

  /** Ownership prefix of every marker of this lab: `cdktf-netns:<stack>/`. */
  public readonly owner: string;
  public readonly stateDir: string;
  /** The lab's id on the local machine: the name of its record under the state directory. */
  public readonly labId: string;

  private readonly units = new Map<string, HostUnit>();
  private readonly hosts = new Map<string, LabHost>();
  private readonly contributions: Contribution[] = [];
  private readonly namespaces = new Map<string, IConstruct>();
  private readonly interfaces = new Map<string, LabInterface>();
  private readonly interfaceList: LabInterface[] = [];
  private readonly interfacesByNs = new Map<string, LabInterface[]>();
  private readonly routes = new Map<string, RouteEntry>();
  private readonly links: Array<[LabInterface, LabInterface]> = [];
  private readonly intents: IntentEntry[] = [];
  private readonly firewalls = new Map<string, { owner: IConstruct; chains: FirewallChains }>();
  private readonly forwardingNeeds: ForwardingNeed[] = [];
  private readonly tunnels: Array<{ owner: IConstruct; a: LabInterface; b: LabInterface; mtu: number }> = [];
  private readonly tunnelLocals: Array<{ owner: IConstruct; ns: INamespace; ip: ParsedIp; what: string }> = [];
  private readonly portForwards: Array<{ owner: IConstruct; ns: string; proto: string; lo: number; hi: number; iif: string; dst: string }> = [];
  private warned = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.owner = ownerOf(this);
    this.stateDir = stateDirOf(this);
    this.labId = shortHash(this.owner, 16);
    this.node.addValidation({ validate: () => this.validate() });
    // write the engine files and the data files beside the stack's plan (cdktf's custom synthesis hook)
    Object.defineProperty(this, Symbol.for('cdktf/customSynthesis'), {
      value: { onSynthesize: (session: SynthesisSession) => this.writeFiles(session) },
      enumerable: false,
    });
  }

  /** The lab id of a machine's unit: the local one's is the hash of the owner, a host's adds its name (two units on one kernel never share a record). */
  private labIdOf(key: string): string {
    return key ? shortHash(`${this.owner}@${key}`, 16) : this.labId;
  }

  /**
   * The unit of a machine ('' the local one), made on first use: a machine gets resources when
   * something is declared on it (a Host always: emptying its code empties its lab).
   */
  private unitOf(key: string): HostUnit {
    const existing = this.units.get(key);
    if (existing) return existing;
    const host = key ? this.hosts.get(key) : undefined;
    if (key && !host) throw new Error(`cdktf-netns: internal error: no Host named ${key}`);
    const scope: Construct = host ? new Construct(this, `host-${key}`) : this;
    const lab = this.labIdOf(key);
    const identity = () => ({ lab, state: this.stateDir, owner: this.owner, ...(host ? { machine: host.hostName, address: host.address } : {}) });
    const up = `\${self.{T}.state}/up/\${self.{T}.lab}`;
    // remote: the engine runs from the bundle uploaded to STATE/up/LAB by the Lab resource; the
    // host's Teardown makes the directories (its create: an upload of them, no command), and its
    // destroy removes them; the Seal uploads only the intents file (what may change without the Lab)
    const at = hostLayout(key, this.stateDir, lab);
    const bundle = () => ({ source: at.tree('bundle'), destination: at.destination });
    // the Teardown's create only makes the directories (its destroy's script goes there)
    const skeleton = () => ({ source: at.tree('skel'), destination: at.destination });
    const intentsOnly = () =>
      this.intentsOn(key).length ? { source: `${at.local('bundle')}/${INTENTS_FILE}`, destination: `${at.remote}/${INTENTS_FILE}` } : undefined;
    const remoteOf = (what: string, upload: () => { source: string; destination: string } | undefined) =>
      host && { connection: host.connection, upload, stateDir: this.stateDir, scriptName: `${lab}-${what}` };
    const engine = host ? `sh ${up}/${ENGINE_DIR}/engine/engine.sh` : `sh ${ENGINE_SCRIPT}`;
    // (scp makes the uploaded directories 0755: taken back to root-only before anything runs)
    const lock = host ? `chmod go-rwx \${self.{T}.state} \${self.{T}.state}/up && chmod -R go-rwx ${up} && ` : '';
    const dataFile = host ? `${up}/${DATA_FILE}` : DATA_FILE;
    const intentsFile = host ? `${up}/${INTENTS_FILE}` : INTENTS_FILE;
    // The deployment's identity is the Teardown's Terraform id: born when the lab is first applied
    // (twin deployments of one plan get different ones), stable until it is destroyed.
    const teardown = new LabResource(scope, 'Teardown', {
      triggers: identity,
      // (on a Host: no engine there means no Lab run ever got its bundle, so nothing of it exists)
      destroy: host
        ? `if [ -f ${up}/${ENGINE_SCRIPT} ]; then ${engine} destroy \${self.{T}.state} \${self.{T}.lab} \${self.id}; fi && ` +
          `rm -rf -- ${up} \${self.{T}.state}/tf-\${self.{T}.lab}-lab.sh \${self.{T}.state}/tf-\${self.{T}.lab}-seal.sh`
        : `${engine} destroy \${self.{T}.state} \${self.{T}.lab} \${self.id}`,
      remote: remoteOf('teardown', skeleton),
    });
    const deployment = teardown.getStringAttribute('id');
    const u: HostUnit = {
      teardown,
      unit: new LabResource(scope, 'Lab', {
        triggers: () => {
          // the data file written moments ago by this synthesis (app.synth), or computed now (Testing.synth)
          const d = u.written ?? this.data(key);
          u.written = undefined;
          u.dataHash = d.hash;
          return { ...identity(), deployment, engine: engineFiles().hash, data: d.hash, ...d.triggers };
        },
        create: (host ? `${lock}cd ${up} && sh ${ENGINE_SCRIPT}` : `sh ${ENGINE_SCRIPT}`) + ` apply ${DATA_FILE} \${self.{T}.data} \${self.{T}.deployment}`,
        dependsOn: () => [teardown],
        remote: remoteOf('lab', bundle),
      }),
      // The last step of every apply that changed something, and of the one after an interrupted
      // apply (it was never created then): finishes what a killed run left undone. Its triggers
      // carry the unit's id, so it is replaced exactly when the unit is.
      // The connectivity intents run there too, after the healing: their lines are its triggers (a
      // changed intent replaces it, and so re-runs the probes), their failure fails the apply.
      seal: new LabResource(scope, 'Seal', {
        triggers: () => ({
          ...(host ? { machine: key, lab, state: this.stateDir } : {}),
          deployment,
          unit: u.unit.getStringAttribute('id'),
          data: u.dataHash ?? this.data(key).hash,
          ...this.intentTriggers(key),
        }),
        create: () =>
          `${lock}${engine} seal ${dataFile} \${self.{T}.data} \${self.{T}.deployment}` +
          (this.intentsOn(key).length ? ` && ${engine} check ${intentsFile} \${self.{T}.intents_hash}` : ''),
        dependsOn: () => [u.unit],
        remote: remoteOf('seal', intentsOnly),
      }),
    };
    this.units.set(key, u);
    return u;
  }

  /** The local machine's Teardown (made when first asked for). */
  public get teardown(): LabResource {
    return this.unitOf('').teardown;
  }

  /** The local machine's Lab resource. */
  public get unit(): LabResource {
    return this.unitOf('').unit;
  }

  /** The local machine's final step of an apply: completes an interrupted one. */
  public get seal(): LabResource {
    return this.unitOf('').seal;
  }

  /** A remote machine of the lab: its own unit (Teardown, Lab, Seal), made now. */
  public registerHost(host: LabHost): void {
    const prev = this.hosts.get(host.hostName);
    if (prev) fail(host, `host name is already used by ${prev.node.path}`, host.hostName, 'give each Host a distinct name');
    const same = [...this.hosts.values()].find((h) => h.address === host.address);
    if (same) {
      fail(
        host,
        `address ${host.address} is already the address of host "${same.hostName}"`,
        host.address,
        'declare each machine once (its namespaces can share one Host)',
      );
    }
    this.hosts.set(host.hostName, host);
    this.unitOf(host.hostName);
  }

  /** What depends on objects of a machine: that machine's final step. */
  public dependableOn(host?: IHost): ITerraformDependable {
    return this.unitOf(host?.hostName ?? '').seal;
  }

  /** What user resources depend on: the local machine's lab is complete once its final step has run. */
  public get dependable(): ITerraformDependable {
    return this.seal;
  }

  /**
   * Declare kernel objects of a machine (`host`: undefined for the local one); `objects` runs at
   * synthesis, so later changes (addSysctl, addPort) are seen.
   */
  public add(owner: IConstruct, objects: () => Array<[Kind, Values]>, host?: IHost): void {
    const key = this.machineOf(owner, host);
    this.unitOf(key);
    this.contributions.push({ owner, host: key, objects });
  }

  /** The key of a construct's machine ('' the local one): a Host of this stack. */
  private machineOf(owner: IConstruct, host: IHost | undefined): string {
    if (host === undefined) return '';
    if (this.hosts.get(host.hostName) !== host) {
      fail(
        owner,
        `host "${host.hostName}" is declared in another stack (${(host as LabHost).node?.path ?? '?'}): each stack's Hosts are its own`,
        host.hostName,
        'declare the Host in this stack (the same machine may be a Host of several stacks)',
      );
    }
    return host.hostName;
  }

  public registerNamespace(owner: IConstruct, ns: INamespace): void {
    const name = ns.namespaceName;
    const prev = this.namespaces.get(nsKey(ns));
    if (prev) {
      throw new NetnsError(
        message(
          owner,
          `namespace name is already used${ns.host ? ` on host "${ns.host.hostName}"` : ''} by ${prev.node.path}`,
          name,
          'give each Namespace a distinct name (or set a different cdktf-netns:prefix on one of the scopes)',
        ),
      );
    }
    this.namespaces.set(nsKey(ns), owner);
  }

  public registerInterface(iface: LabInterface): void {
    const key = `${nsKey(iface.namespace)} ${iface.interfaceName}`;
    const clash = this.interfaces.get(key);
    if (clash) {
      throw new NetnsError(
        message(
          iface.owner,
          `interface name is already used in ${describeNamespace(iface.namespace)} by ${clash.owner.node.path}`,
          iface.interfaceName,
          'interface names must be unique within a namespace: choose another name',
        ),
      );
    }
    this.interfaces.set(key, iface);
    this.interfaceList.push(iface);
    const inNs = this.interfacesByNs.get(nsKey(iface.namespace)) ?? [];
    inNs.push(iface);
    this.interfacesByNs.set(nsKey(iface.namespace), inNs);
  }

  /** Record a layer-2 connection (veth pair, bridge port). */
  public connect(a: LabInterface, b: LabInterface): void {
    this.links.push([a, b]);
  }

  public registerRoute(entry: RouteEntry): void {
    const key = `${nsKey(entry.namespace)} ${entry.family} ${entry.destination}`;
    const dup = this.routes.get(key);
    if (dup) {
      throw new NetnsError(
        message(
          entry.owner,
          `a route to this destination in ${describeNamespace(entry.namespace)} is already declared by ${dup.owner.node.path}`,
          entry.rawDestination,
          'declare each destination once per namespace',
        ),
      );
    }
    this.routes.set(key, entry);
  }

  /** A VXLAN tunnel between two bridges' ports: one layer-2 segment (checked for loops and MTUs at synth). */
  public registerTunnel(t: { owner: IConstruct; a: LabInterface; b: LabInterface; mtu: number }): void {
    this.tunnels.push(t);
  }

  /** A tunnel end's underlay address must be one of its namespace's (checked at synth, when every interface is declared). */
  public checkLocalAddress(owner: IConstruct, ns: INamespace, ip: ParsedIp, what: string): void {
    this.tunnelLocals.push({ owner, ns, ip, what });
  }

  /** One Firewall per namespace: its chains are the namespace's. */
  public registerFirewall(owner: IConstruct, ns: INamespace, chains: FirewallChains, forwardRules: () => boolean): void {
    const prev = this.firewalls.get(nsKey(ns));
    if (prev) {
      fail(
        owner,
        `${describeNamespace(ns)} already has a Firewall (${prev.owner.node.path})`,
        nsToken(ns),
        'declare one Firewall per namespace, with all its rules (allowInput / allowForward add more)',
      );
    }
    this.firewalls.set(nsKey(ns), { owner, chains });
    this.requireForwarding(owner, ns, 'a Firewall with forward rules', [4, 6], 'its forward rules would match nothing', forwardRules);
  }

  /**
   * Port forwards of one namespace must not overlap: the first rule would take what the second
   * declares (same protocol, overlapping ports, and interface and address that can both match).
   */
  public registerPortForward(owner: IConstruct, ns: INamespace, proto: string, ports: string, iif: string, dst: string): void {
    const [lo, hi = lo] = ports.split('-').map(Number);
    const mine = { owner, ns: nsKey(ns), proto, lo, hi, iif, dst };
    const both = (a: string, b: string) => a === '-' || b === '-' || a === b;
    const clash = this.portForwards.find((o) => o.ns === mine.ns && o.proto === proto && o.lo <= hi && lo <= o.hi && both(o.iif, iif) && both(o.dst, dst));
    if (clash) {
      fail(
        owner,
        `${proto} port ${ports} in ${describeNamespace(ns)} is also forwarded by ${clash.owner.node.path} (${clash.lo === clash.hi ? clash.lo : `${clash.lo}-${clash.hi}`}): the first rule would take it all`,
        ports,
        'forward each port once (or tell them apart with inInterface or toAddress)',
      );
    }
    this.portForwards.push(mine);
  }

  /** The chains the namespace's Firewall filters (undefined: it has none). */
  public firewallIn(ns: INamespace): FirewallChains | undefined {
    return this.firewalls.get(nsKey(ns))?.chains;
  }

  /** Refuse (a namespace of the lab) or warn (the host, an imported namespace) when the namespace does not forward. */
  public requireForwarding(owner: IConstruct, namespace: INamespace, what: string, families: ReadonlyArray<4 | 6>, why: string, when?: () => boolean): void {
    this.forwardingNeeds.push({ owner, namespace, what, families, why, when });
  }

  /** A connectivity intent: probed on the machine of the namespace it is probed from. */
  public registerIntent(entry: IntentEntry): void {
    this.unitOf(this.machineOf(entry.owner, entry.from.host));
    this.intents.push(entry);
  }

  /** The intents probed on a machine ('' the local one). */
  private intentsOn(key: string): IntentEntry[] {
    return this.intents.filter((e) => hostKeyOf(e.from) === key);
  }

  /** The intents file's text of a machine (undefined when it has none). */
  public intentsText(key = ''): string | undefined {
    const lines = this.intentLines(key);
    return lines.length ? intentsFile(lines) : undefined;
  }

  private intentLines(key: string): string[] {
    return this.intentsOn(key).map((e) => intentLine(e, nsToken(e.from)));
  }

  private intentTriggers(key: string): Record<string, string> {
    const lines = this.intentLines(key);
    if (!lines.length) return {};
    return { intents: lines.join('\n'), intents_hash: sha256(intentsFile(lines)) };
  }

  /** Addresses of managed interfaces in a namespace, with the interface that carries them. */
  public connectedSubnets(ns: INamespace): Array<{ cidr: ParsedCidr; iface: LabInterface }> {
    return (this.interfacesByNs.get(nsKey(ns)) ?? []).flatMap((iface) => iface.parsedAddresses.map((cidr) => ({ cidr, iface })));
  }

  /**
   * The data file: a header (owner, lab id, state directory), the kinds table,
   * then one line per object in creation order, of one machine ('' the local
   * one). Deterministic: the same code gives the same bytes. `validated`: the
   * cross-construct rules have just run (the synthesis of every machine's file).
   */
  public data(key = '', validated = false): LabData {
    // the cross-construct rules run here too, so `skipValidation` cannot let a bad lab through
    const errors = validated ? [] : this.validate();
    if (errors.length) throw new NetnsError(errors.join('\n'));
    const objects: Array<{ kind: Kind; values: Values; owner: IConstruct; seq: number }> = [];
    for (const c of this.contributions) {
      if (c.host !== key) continue;
      for (const [kind, values] of c.objects()) objects.push({ kind, values, owner: c.owner, seq: objects.length });
    }
    objects.sort((a, b) => a.kind.phase - b.kind.phase || a.seq - b.seq);
    parentsFirst(objects);
    const seen = new Map<string, { owner: IConstruct; line: string }>();
    const lines: string[] = [];
    const groups = new Map<string, string[]>();
    const linkHomes = new Map<string, string>();
    const linkHome = (ns: string, ifname: string) => linkHomes.get(`${ns} ${ifname}`);
    for (const o of objects) {
      const text = line(o.kind, o.values);
      const id = identityOf(o.kind, o.values);
      const prev = seen.get(id);
      if (prev) {
        if (prev.line === text) continue; // the same object declared twice with the same values (e.g. one host sysctl)
        throw new NetnsError(
          message(o.owner, `${o.kind.describe(o.values)} is also declared by ${prev.owner.node.path}, with other values`, text, 'declare each object once'),
        );
      }
      seen.set(id, { owner: o.owner, line: text });
      lines.push(text);
      const home = o.kind.home(o.values, linkHome);
      for (const [ns, ifname] of o.kind.links(o.values)) linkHomes.set(`${ns} ${ifname}`, home);
      const key = home === '-' ? 'host' : `namespace ${home}`;
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key)!.push(text);
    }
    const triggers: Record<string, string> = {};
    for (const [key, group] of groups) triggers[key] = group.join('\n');
    const text = [
      '# cdktf-netns lab data v1: written by cdktf synth; read by cdktf-netns/engine/engine.sh',
      `#owner ${this.owner}`,
      `#lab ${this.labIdOf(key)}`,
      `#state ${this.stateDir}`,
      ...kindsTable(),
      ...lines,
      '',
    ].join('\n');
    return { text, hash: sha256(text), lines, triggers };
  }

  private writeFiles(session: SynthesisSession): void {
    const stack = TerraformStack.of(this);
    const stackDir = dirname(join(session.outdir, session.manifest.forStack(stack).synthesizedStackPath));
    rmSync(join(stackDir, ENGINE_DIR), { recursive: true, force: true });
    // the cross-construct rules once for every machine's data file (data() runs them when called alone)
    const errors = this.validate();
    if (errors.length) throw new NetnsError(errors.join('\n'));
    // the local machine's files (the data file always: the CLI finds the lab by it), then per Host
    // the trees uploaded there, laid out as they are uploaded, every directory root-only (scp
    // creates them with these modes on the host): the bundle and the skeleton
    this.writeBundle(stackDir, '');
    for (const key of this.hosts.keys()) {
      const lab = this.labIdOf(key);
      const at = hostLayout(key, this.stateDir, lab);
      for (const what of ['bundle', 'skel'] as const) {
        const top = join(stackDir, at.tree(what));
        const dir = join(stackDir, at.local(what));
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        for (const d of [top, dirname(dir), dir]) chmodSync(d, 0o700);
      }
      this.writeBundle(join(stackDir, at.local('bundle')), key);
      writeFileSync(join(stackDir, at.local('skel'), '.lab'), `${lab}\n`, { mode: 0o600 });
    }
  }

  /** The engine, a machine's data file and its intents file, under `dir`/cdktf-netns. */
  private writeBundle(dir: string, key: string): void {
    for (const f of engineFiles().files) {
      mkdirSync(dirname(join(dir, ENGINE_DIR, f.path)), { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, ENGINE_DIR, f.path), f.content, { mode: 0o644 });
    }
    const data = this.data(key, true);
    const unit = this.units.get(key);
    if (unit) unit.written = data;
    writeFileSync(join(dir, DATA_FILE), data.text, { mode: 0o644 });
    const intents = this.intentsText(key);
    if (intents !== undefined) writeFileSync(join(dir, INTENTS_FILE), intents, { mode: 0o644 });
  }

  private validate(): string[] {
    const errors: string[] = [];
    const warn = !this.warned;
    this.warned = true;
    // Layer-2 segments: union-find over interfaces joined by veth pairs and bridge ports.
    const parent = new Map<LabInterface, LabInterface>();
    const find = (x: LabInterface): LabInterface => {
      let p = parent.get(x) ?? x;
      while (p !== (parent.get(p) ?? p)) p = parent.get(p) ?? p;
      parent.set(x, p);
      return p;
    };
    for (const [a, b] of this.links) parent.set(find(a), find(b));
    // VXLAN tunnels join segments; one between bridges that are joined already closes a loop (no STP)
    for (const t of this.tunnels) {
      const [ra, rb] = [find(t.a), find(t.b)];
      if (ra === rb) {
        errors.push(
          message(
            t.owner,
            'this VXLAN link closes a loop: its two bridges are on one layer-2 segment already (no spanning tree runs here, frames would circle forever)',
            `${t.a.interfaceName} <-> ${t.b.interfaceName}`,
            'drop this link, or the other path between the two bridges',
          ),
        );
      } else parent.set(ra, rb);
    }
    const segmentIds = new Map<LabInterface, number>();
    const segmentOf = (i: LabInterface): string => {
      if (i.vlan) {
        const p = i.vlan.parent;
        const base = typeof p === 'string' ? `host:${nsKey(i.namespace)}:${p}` : segmentOf(p);
        return `${base}/vlan${i.vlan.vid}`;
      }
      const root = find(i);
      if (!segmentIds.has(root)) segmentIds.set(root, segmentIds.size);
      return `seg${segmentIds.get(root)}`;
    };
    const seen = new Map<string, LabInterface>();
    for (const i of this.interfaceList) {
      const seg = segmentOf(i);
      for (const a of i.parsedAddresses) {
        for (const key of [`L2 ${seg} ${a.text}`, `NS ${i.namespace.namespaceName} ${a.text}`]) {
          const other = seen.get(key);
          if (other && other !== i) {
            const where = key.startsWith('L2') ? 'on the same layer-2 segment' : `in ${describeNamespace(i.namespace)}`;
            errors.push(
              message(
                i.owner,
                `address ${a.text} of interface "${i.interfaceName}" is also used ${where} by interface "${other.interfaceName}" (${other.owner.node.path})`,
                a.cidr,
                'give every interface on a segment its own address',
              ),
            );
          } else {
            seen.set(key, i);
          }
        }
      }
    }
    // Routes: the gateway must be on a connected subnet of the route's namespace; so must an
    // intent's expected first hop, in the namespace the probe runs in.
    for (const r of this.routes.values()) this.checkNextHop(r.owner, r.namespace, r.via, 'gateway', warn, errors);
    for (const i of this.intents) if (i.via) this.checkNextHop(i.owner, i.from, i.via, 'first hop', warn, errors);
    // what both checks read of the declared objects, gathered once (and only when one of them has work)
    let gathered: DeclaredFacts | undefined;
    const declared = (): DeclaredFacts => (gathered ??= this.declaredFacts());
    this.checkForwarding(warn, errors, declared);
    this.checkTunnels(warn, errors, declared);
    return errors;
  }

  /** A tunnel end's local address is its namespace's; the ports of a tunnel's bridges fit its MTU (else a warning: big frames vanish). */
  private checkTunnels(warn: boolean, errors: string[], declared: () => DeclaredFacts): void {
    if (!this.tunnels.length) return;
    const { managed } = declared();
    for (const l of this.tunnelLocals) {
      const own = (this.interfacesByNs.get(nsKey(l.ns)) ?? []).some((i) => i.parsedAddresses.some((a) => a.text === l.ip.text));
      if (own) continue;
      const problem = `${l.what} ${l.ip.text} is no address of ${describeNamespace(l.ns)}`;
      if (managed.has(nsKey(l.ns))) {
        errors.push(
          message(l.owner, problem, l.ip.text, `give ${describeNamespace(l.ns)} an interface with that address (the underlay), or use one of its addresses`),
        );
      } else if (warn) {
        Annotations.of(l.owner).addWarning(
          message(l.owner, problem, l.ip.text, 'ignore this warning if the address is on an interface the lab does not declare'),
        );
      }
    }
    if (!warn) return;
    for (const t of this.tunnels) {
      for (const end of [t.a, t.b]) {
        const bridge = this.links.find(([x]) => x === end)?.[1];
        if (!bridge) continue;
        const ports = this.links.filter(([x, y]) => y === bridge && x !== end).map(([x]) => x);
        const big = ports.filter((p) => ('mtu' in p ? ((p as { mtu?: number }).mtu ?? 1500) : 1500) > t.mtu);
        if (!big.length) continue;
        Annotations.of(t.owner).addWarning(
          message(
            t.owner,
            `ports of bridge "${bridge.interfaceName}" take bigger frames than the tunnel carries (MTU ${t.mtu}): ${big.map((p) => `"${p.interfaceName}"`).join(', ')}; frames over ${t.mtu} bytes are dropped on the way`,
            big.map((p) => p.interfaceName).join(','),
            `set mtu: ${t.mtu} on the interfaces of that segment (both ends of their veth pairs), or give the link a bigger mtu over an underlay that carries it`,
          ),
        );
      }
    }
  }

  /** One pass over the declared objects: the namespaces the lab makes, and the sysctls set to 1 (`NS KEY`, `- KEY` for the host). */
  private declaredFacts(): DeclaredFacts {
    const managed = new Set<string>();
    const on = new Set<string>();
    for (const c of this.contributions) {
      for (const [kind, v] of c.objects()) {
        if (kind === NAMESPACE) managed.add(`${c.host}|${v.name}`);
        else if (kind === NS_SYSCTL && v.value === '1') on.add(`${c.host}|${v.ns} ${v.key}`);
        else if (kind === HOST_SYSCTL && v.value === '1') on.add(`${c.host}|- ${v.key}`);
      }
    }
    return { managed, on };
  }

  /** NAT and forward rules need a namespace that forwards: what the lab sets decides (the host's and imported namespaces' settings are not known: a warning). */
  private checkForwarding(warn: boolean, errors: string[], declared: () => DeclaredFacts): void {
    if (!this.forwardingNeeds.length) return;
    const KEYS: Record<4 | 6, string> = { 4: 'net.ipv4.ip_forward', 6: 'net.ipv6.conf.all.forwarding' };
    const { managed, on } = declared();
    for (const n of this.forwardingNeeds) {
      if (n.when && !n.when()) continue;
      const ns = nsKey(n.namespace);
      if (n.families.some((f) => on.has(`${ns} ${KEYS[f]}`))) continue;
      const keys = n.families.map((f) => KEYS[f]).join(' or ');
      const problem = `${n.what} in ${describeNamespace(n.namespace)}, which does not forward (${keys} is not 1): ${n.why}`;
      if (managed.has(ns)) {
        errors.push(message(n.owner, problem, nsToken(n.namespace), `make the namespace a Router, or addSysctl('${KEYS[n.families[0]]}', 1) on it`));
      } else if (warn) {
        const fix = n.namespace.isHost
          ? 'declare a HostRouter in the stack (or ignore this if the host forwards already)'
          : 'ignore this warning if the imported namespace forwards already';
        Annotations.of(n.owner).addWarning(message(n.owner, problem, nsToken(n.namespace), fix));
      }
    }
  }

  /** A next hop must be another address on a connected subnet of its namespace (the host's own interfaces are not all known: a warning there). */
  private checkNextHop(owner: IConstruct, ns: INamespace, via: ParsedIp, what: string, warn: boolean, errors: string[]): void {
    // a next hop that is the namespace's own address routes nothing anywhere
    const own = (this.interfacesByNs.get(nsKey(ns)) ?? []).find((i) => i.parsedAddresses.some((a) => a.text === via.text));
    if (own) {
      errors.push(
        message(
          owner,
          `${what} ${via.text} is an address of ${describeNamespace(ns)} itself (interface "${own.interfaceName}")`,
          via.text,
          "use the address of the next hop (the router or peer on that subnet), not this namespace's own",
        ),
      );
      return;
    }
    const subnets = this.connectedSubnets(ns);
    if (subnets.some(({ cidr }) => subnetContains(cidr, via))) return;
    const problem = `${what} ${via.text} is on no connected subnet of ${describeNamespace(ns)}`;
    if (ns.isHost) {
      if (warn) {
        Annotations.of(owner).addWarning(
          message(owner, problem, via.text, `check the ${what}; ignore this warning if it is on a host interface not managed here`),
        );
      }
      return;
    }
    errors.push(
      message(
        owner,
        problem,
        via.text,
        subnets.length
          ? `use an address inside one of ${subnets.map((s) => s.cidr.network).join(', ')}`
          : `give the namespace an interface with an address on the ${what}'s subnet`,
      ),
    );
  }
}

/**
 * Within a phase, an object that names an interface made by another object of
 * the same phase comes after it (a VLAN on a VLAN declared later); stable otherwise.
 */
function parentsFirst(objects: Array<{ kind: Kind; values: Values }>): void {
  const made = new Map<string, number>();
  objects.forEach((o, i) => {
    for (const [ns, ifname] of o.kind.links(o.values)) made.set(`${ns} ${ifname}`, i);
  });
  const placed = new Set<number>();
  const out: typeof objects = [];
  const visit = (i: number, depth: number) => {
    if (placed.has(i) || depth > objects.length) return;
    const o = objects[i];
    for (const r of o.kind.parents(o.values)) {
      if (!('iface' in r)) continue;
      const j = made.get(`${r.iface[0]} ${r.iface[1]}`);
      if (j !== undefined && j !== i && objects[j].kind.phase === o.kind.phase) visit(j, depth + 1);
    }
    placed.add(i);
    out.push(o);
  };
  objects.forEach((_, i) => visit(i, 0));
  objects.splice(0, objects.length, ...out);
}

/** The part of cdktf's synthesis session the lab uses. */
interface SynthesisSession {
  readonly outdir: string;
  readonly manifest: { forStack(stack: TerraformStack): { synthesizedStackPath: string } };
}
