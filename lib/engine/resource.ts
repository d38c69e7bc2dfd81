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
    this.synthTriggers = this.props.triggers();
    const common = { interpreter: ['/bin/sh', '-c'] };
    this.provisioners = [
      ...(this.props.create !== undefined
        ? [{ type: 'local-exec' as const, command: this.command(typeof this.props.create === 'string' ? this.props.create : this.props.create()), ...common }]
        : []),
      ...(this.props.destroy !== undefined
        ? [{ type: 'local-exec' as const, when: 'destroy' as const, command: this.command(this.props.destroy), ...common }]
        : []),
    ];
    const deps = [...new Set([...(this.props.dependsOn?.() ?? []), ...this.extraDeps])];
    this.dependsOn = deps.length ? deps.map((d) => dependable(d)) : undefined;
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

  protected synthesizeAttributes(): Record<string, unknown> {
    return { [this.triggersAttribute]: hashMapper(stringToTerraform)(this.synthTriggers ?? this.props.triggers()) };
  }

  protected synthesizeHclAttributes(): Record<string, unknown> {
    return {
      [this.triggersAttribute]: {
        value: hashMapperHcl(stringToHclTerraform)(this.synthTriggers ?? this.props.triggers()),
        isBlock: false,
        type: 'map',
        storageClassType: 'stringMap',
      },
    };
  }
}
