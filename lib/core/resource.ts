import { Construct, IConstruct } from 'constructs';
import {
  ITerraformDependable, TerraformProvider, TerraformResource, TerraformStack, dependable,
  hashMapper, hashMapperHcl, stringToHclTerraform, stringToTerraform,
} from 'cdktf';
import { NullProvider } from '@cdktf/provider-null/lib/provider';
import { Backend, backendOf } from './settings';
import { script } from './scripts';

/**
 * The single place where kernel objects become Terraform resources.
 *
 * Each KernelResource is one `null_resource` or one `terraform_data` (chosen
 * by the `cdktf-netns:backend` context) with two local-exec provisioners: a
 * create script and a destroy script, both constant text from scripts.ts.
 * Everything a script needs lives in the resource's triggers
 * (`triggers` / `triggers_replace`), and reaches the script through
 * `environment = { KEY = self.<triggers>.key }`; so:
 *   - destroy-time provisioners reference only `self` (a Terraform rule);
 *   - a changed value replaces the resource (destroy old, create new);
 *   - a parent's id in the triggers cascades replacement to its children;
 *   - no user value is ever spliced into shell text.
 * Dependencies are explicit `depends_on`, computed at synthesis so that
 * relations added later (e.g. `bridge.addPort`) are honoured.
 */

export interface KernelResourceProps {
  /** Object kind, recorded in the triggers for readers of the plan (tests, tools). */
  readonly kind: string;
  /** Body of the create script (the shared prelude is added). */
  readonly create: string;
  /** Body of the destroy script. @default no destroy provisioner */
  readonly destroy?: string;
  /** Trigger values, computed when the plan is synthesized. Keys: lower_snake_case. */
  readonly triggers: () => Record<string, string>;
  /** Resources this one must be created after (and destroyed before). */
  readonly dependsOn?: () => Array<KernelResource | undefined>;
}

const NULL_PROVIDER_ID = 'cdktf-netns-null';

function ensureNullProvider(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  const has = stack.node.findAll().some((c) => c instanceof TerraformProvider &&
    (c as TerraformProvider).terraformResourceType === 'null');
  if (!has) new NullProvider(stack, NULL_PROVIDER_ID);
}

export class KernelResource extends TerraformResource {
  public readonly kind: string;
  public readonly backend: Backend;
  private readonly props: KernelResourceProps;
  private readonly extraDeps: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: KernelResourceProps) {
    const backend = backendOf(scope);
    super(scope, id, {
      terraformResourceType: backend,
      terraformGeneratorMetadata: backend === 'null_resource'
        ? { providerName: 'null', providerVersionConstraint: '~> 3.2' }
        : { providerName: 'terraform' },
    });
    if (backend === 'null_resource') ensureNullProvider(this);
    this.kind = props.kind;
    this.backend = backend;
    this.props = props;
  }

  /** Name of the attribute that holds the triggers for this backend. */
  public get triggersAttribute(): string {
    return this.backend === 'null_resource' ? 'triggers' : 'triggers_replace';
  }

  /** The resource id, known after apply; changes whenever the object is re-created. */
  public get resourceId(): string {
    return this.getStringAttribute('id');
  }

  /** Order this resource after any other dependable (used by composition helpers). */
  public addDependency(dep: ITerraformDependable): void {
    this.extraDeps.push(dep);
  }

  /** The computed triggers (synth time). */
  public triggerValues(): Record<string, string> {
    const t = { kind: this.props.kind, ...this.props.triggers() };
    const out: Record<string, string> = {};
    for (const k of Object.keys(t).sort()) out[k] = t[k as keyof typeof t];
    return out;
  }

  /** The KernelResources this one depends on (synth time). */
  public kernelDependencies(): KernelResource[] {
    const seen = new Set<KernelResource>();
    for (const d of this.props.dependsOn?.() ?? []) if (d && d !== this) seen.add(d);
    return [...seen].sort((a, b) => a.node.path.localeCompare(b.node.path));
  }

  /** Triggers computed once per synthesis by prepare() (the sweep's validates the whole inventory). */
  private synthTriggers?: Record<string, string>;

  /** Compute everything that is only known at synthesis: triggers, provisioners, depends_on. */
  private prepare(): void {
    const triggers = this.triggerValues();
    this.synthTriggers = triggers;
    const env: Record<string, string> = {};
    for (const k of Object.keys(triggers)) env[k.toUpperCase()] = `\${self.${this.triggersAttribute}.${k}}`;
    const common = { interpreter: ['/bin/sh', '-c'], environment: env };
    this.provisioners = [
      { type: 'local-exec', command: script(this.props.create), ...common },
      ...(this.props.destroy !== undefined
        ? [{ type: 'local-exec' as const, when: 'destroy' as const, command: script(this.props.destroy), ...common }]
        : []),
    ];
    this.dependsOn = [...this.kernelDependencies(), ...this.extraDeps].map((d) => dependable(d));
  }

  public toTerraform(): any {
    this.prepare();
    return super.toTerraform();
  }

  public toHclTerraform(): any {
    this.prepare();
    // cdktf writes provisioner strings into HCL quoted strings escaping only the
    // quotes: escape backslashes and newlines here so the shell gets the same text
    this.provisioners = this.provisioners?.map((p) => (p.type === 'local-exec'
      ? { ...p, command: p.command.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') }
      : p));
    return super.toHclTerraform();
  }

  protected synthesizeAttributes(): { [name: string]: any } {
    return { [this.triggersAttribute]: hashMapper(stringToTerraform)(this.synthTriggers ?? this.triggerValues()) };
  }

  protected synthesizeHclAttributes(): { [name: string]: any } {
    return {
      [this.triggersAttribute]: {
        value: hashMapperHcl(stringToHclTerraform)(this.synthTriggers ?? this.triggerValues()),
        isBlock: false,
        type: 'map',
        storageClassType: 'stringMap',
      },
    };
  }
}
