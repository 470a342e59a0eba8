/**
 * What moto 5.2.5 cannot do with a template, shared by the rehearsal's checks
 * (checks.rehearsal.ts, which runs only under scripts/rehearse.sh) and the unit tests of its apps.
 */

/**
 * Types moto creates but has no Fn::GetAtt for (its EFS models lack get_cfn_attribute): a GetAtt
 * on one fails CreateStack with a Python AttributeError (HTTP 500), and the CLI's retry then
 * reports "AlreadyExistsException: Stack … already exists".
 */
export const MOTO_NO_GETATT_TYPES: ReadonlyArray<string> = ['AWS::EFS::FileSystem', 'AWS::EFS::AccessPoint'];
