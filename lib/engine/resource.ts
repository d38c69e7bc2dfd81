import { Construct, IConstruct } from 'constructs';
import {
  ITerraformDependable,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  dependable,
  hashMapper,
  hashMapperHcl,
  stringToHclTerraform,
  stringToTerraform,
} from '../core/cdk';
import { Backend, backendOf } from '../core/settings';

/**
 * The place where a lab becomes Terraform resources: one `null_resource` or
 * one `terraform_data` (the `cdktf-netns:backend` context) whose triggers
 * (`triggers` / `triggers_replace`) carry every value its provisioner needs,
 * so a destroy-time provisioner reads only `self`, and any change in the
 * triggers replaces the resource (re-runs its create step). Provisioner
 * commands are one short line: a script shipped beside the plan, with
 * arguments that are trigger references (`${self.<triggers>.KEY}`), never
 * user text.
 */
export interface LabResourceProps {
  /** Trigger values, computed when the plan is synthesized. */
  readonly triggers: () => Record<string, string>;
  /** The create command (or a function computing it at synthesis); `{T}` stands for the triggers attribute (e.g. `${self.{T}.data}`). */
  readonly create?: string | (() => string);
  /** The destroy command, same convention. @default none */
  readonly destroy?: string;
  /** Resources this one is created after (and destroyed before). */
  readonly dependsOn?: () => ITerraformDependable[];
  /**
   * Run the commands on another machine over SSH (Terraform's communicator): what it needs is
   * uploaded first (`file`), the commands run by `remote-exec` from a script in the state
   * directory there (root-only; one name per resource). @default - local-exec on this machine
   */
  readonly remote?: RemoteTarget;
}

/** A machine reached over SSH, and what to upload there before each create step. */
export interface RemoteTarget {
  /** Connection data (`host`, `user`, `port`, `timeout`, and `private_key_file`, `host_key` when set). */
  readonly connection: Readonly<Record<string, string | undefined>>;
  /**
   * What to upload before the create step (a local path and its destination there), computed at
   * synthesis; undefined: nothing.
   */
  readonly upload: () => { readonly source: string; readonly destination: string } | undefined;
  /** The remote state directory (its scripts go there). */
  readonly stateDir: string;
  /** The name of this resource's remote-exec script there (`tf-NAME.sh`): [a-z0-9-]. */
  readonly scriptName: string;
}

const NULL_PROVIDER_ID = 'cdktf-netns-null';

/**
 * The `null` provider block and its required_providers entry (hashicorp/null ~> 3.2), written
 * directly: no provider bindings package is needed (there is none for CDK Terrain), and an app
 * that already declares a null provider (e.g. with @cdktf/provider-null) keeps its own.
 */
class NullProviderBlock extends TerraformProvider {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      terraformResourceType: 'null',
      terraformGeneratorMetadata: { providerName: 'null', providerVersionConstraint: '~> 3.2' },
      terraformProviderSource: 'hashicorp/null',
    });
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return {};
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return {};
  }
}

function ensureNullProvider(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  const has = stack.node.findAll().some((c) => c instanceof TerraformProvider && (c as TerraformProvider).terraformResourceType === 'null');
  if (!has) new NullProviderBlock(stack, NULL_PROVIDER_ID);
}

export class LabResource extends TerraformResource {
  public readonly backend: Backend;
  private readonly props: LabResourceProps;
  private readonly extraDeps: ITerraformDependable[] = [];
  private synthTriggers?: Record<string, string>;

  constructor(scope: Construct, id: string, props: LabResourceProps) {
    const backend = backendOf(scope);
    super(scope, id, {
      terraformResourceType: backend,
      terraformGeneratorMetadata: backend === 'null_resource' ? { providerName: 'null', providerVersionConstraint: '~> 3.2' } : { providerName: 'terraform' },
    });
    if (backend === 'null_resource') ensureNullProvider(this);
    this.backend = backend;
    this.props = props;
  }

  /** Where the connection data lives: terraform_data's `input` (changed in place), else the triggers (`ssh_` keys). */
  private connectionRef(key: string): string {
    return this.backend === 'terraform_data' ? `\${self.input.${key}}` : `\${self.triggers.ssh_${key}}`;
  }

  /** The connection data as stored on the resource (terraform_data: `input`; null_resource: triggers). */
  private connectionData(): Record<string, string> {
    const c = this.props.remote?.connection ?? {};
    return Object.fromEntries(Object.entries(c).filter((e): e is [string, string] => e[1] !== undefined));
  }

  /** Name of the attribute that holds the triggers for this backend. */
  public get triggersAttribute(): string {
    return this.backend === 'null_resource' ? 'triggers' : 'triggers_replace';
  }

  /** Order this resource after any other dependable. */
  public addDependency(dep: ITerraformDependable): void {
    this.extraDeps.push(dep);
  }

  private command(template: string): string {
    return template.replace(/\{T\}/g, this.triggersAttribute);
  }

  /** Compute what is only known at synthesis: triggers, provisioners, depends_on. */
  private prepare(): void {
    const remote = this.props.remote;
    this.synthTriggers = this.props.triggers();
    if (remote) {
      const data = this.connectionData();
      if (this.backend === 'null_resource') for (const [k, v] of Object.entries(data)) this.synthTriggers[`ssh_${k}`] = v;
      this.connection = {
        type: 'ssh',
        host: this.connectionRef('host'),
        user: this.connectionRef('user'),
        port: this.connectionRef('port') as unknown as number,
        timeout: this.connectionRef('timeout'),
        ...(data.private_key_file ? { privateKey: `\${file(${this.connectionRef('private_key_file').slice(2, -1)})}` } : {}),
        ...(data.host_key ? { hostKey: this.connectionRef('host_key') } : {}),
        // remote-exec's script: in the root-only state directory (Terraform makes it mode 0777), not
        // in the shared /tmp; one name per resource, as Terraform leaves an empty file in its place
        scriptPath: `${remote.stateDir}/tf-${remote.scriptName}.sh`,
      };
      const run = (cmd: string) => ({ type: 'remote-exec' as const, inline: [this.command(cmd)] });
      const up = remote.upload();
      const upload = up ? [{ type: 'file' as const, source: up.source, destination: up.destination }] : [];
      this.provisioners = [
        ...upload,
        ...(this.props.create !== undefined ? [run(typeof this.props.create === 'string' ? this.props.create : this.props.create())] : []),
        // (cdktf's RemoteExecProvisioner type lacks `when`; Terraform takes it on every provisioner)
        ...(this.props.destroy !== undefined ? [{ ...run(this.props.destroy), when: 'destroy' } as ReturnType<typeof run>] : []),
      ];
    } else {
      this.provisioners = this.localProvisioners();
    }
    const deps = [...new Set([...(this.props.dependsOn?.() ?? []), ...this.extraDeps])];
    this.dependsOn = deps.length ? deps.map((d) => dependable(d)) : undefined;
  }

  private localProvisioners(): NonNullable<TerraformResource['provisioners']> {
    const common = { interpreter: ['/bin/sh', '-c'] };
    return [
      ...(this.props.create !== undefined
        ? [{ type: 'local-exec' as const, command: this.command(typeof this.props.create === 'string' ? this.props.create : this.props.create()), ...common }]
        : []),
      ...(this.props.destroy !== undefined
        ? [{ type: 'local-exec' as const, when: 'destroy' as const, command: this.command(this.props.destroy), ...common }]
        : []),
    ];
  }

  // (cdktf's own signatures return `any`: the synthesized JSON)
  public toTerraform(): Record<string, unknown> {
    this.prepare();
    return super.toTerraform();
  }

  public toHclTerraform(): Record<string, unknown> {
    this.prepare();
    return super.toHclTerraform();
  }

  /** terraform_data's `input`: the connection data of a remote resource (an in-place update when it changes). */
  private input(): Record<string, string> | undefined {
    return this.props.remote && this.backend === 'terraform_data' ? this.connectionData() : undefined;
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    const input = this.input();
    return {
      [this.triggersAttribute]: hashMapper(stringToTerraform)(this.synthTriggers ?? this.props.triggers()),
      ...(input ? { input: hashMapper(stringToTerraform)(input) } : {}),
    };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    const input = this.input();
    const map = (value: unknown) => ({ value, isBlock: false, type: 'map', storageClassType: 'stringMap' });
    return {
      [this.triggersAttribute]: map(hashMapperHcl(stringToHclTerraform)(this.synthTriggers ?? this.props.triggers())),
      ...(input ? { input: map(hashMapperHcl(stringToHclTerraform)(input)) } : {}),
    };
  }
}
