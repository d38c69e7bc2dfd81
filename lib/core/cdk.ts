/**
 * The one place the library names its CDK. The package is built twice from the
 * same sources: `cdktf-netns` binds these names to `cdktf` (CDK for Terraform
 * 0.21), and `cdktf-netns/cdktn` is the same build with this module alone
 * rebound to `cdktn` (CDK Terrain, the community fork; scripts/build-cdktn.ts),
 * so a lab's constructs always belong to the CDK of the app that holds them.
 * Every other file imports its CDK names from here (eslint refuses a direct
 * `cdktf` import in lib/).
 */

/** The CDK package these names come from (rebound with them by the cdktn build). */
export const CDK_MODULE = 'cdktf';

export {
  Annotations,
  ITerraformDependable,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Testing,
  Token,
  dependable,
  hashMapper,
  hashMapperHcl,
  stringToHclTerraform,
  stringToTerraform,
} from 'cdktf';
