/**
 * Runs before every test file (jest.config.js `setupFiles`), in that file's sandbox.
 *
 * No creation stack traces: aws-cdk-lib records where every CfnElement and Stack was created
 * (metadata `aws:cdk:creationStack` in the cloud assembly's manifest, never in a template) unless
 * the context `aws:cdk:disable-creation-stack-traces` is set. Under Jest each of those traces goes
 * through Jest's source-map stack formatter (100 frames each: Jest raises Error.stackTraceLimit),
 * and that was about a quarter of `npm test`'s CPU (docs/development.md, "Time of npm test").
 * No test reads the traces; templates, annotations and validation reports stay as they were.
 *
 * CDK_CONTEXT_JSON is how the CDK CLI hands context to an app, so this reaches every App a test
 * makes (testApp(), the examples' and the bin app's apps, apps built by hand) and stays below
 * the context an App is given. CDK_DEBUG=true records the traces anyway. `process.env` here is
 * this test file's copy: processes a test spawns do not get it.
 */
const NO_CREATION_STACK_TRACES = { 'aws:cdk:disable-creation-stack-traces': true };
/**
 * No stack traces on annotations either: each warning, info and error of Annotations records
 * where it was added (the `trace` of its metadata entry, as above never in a template or in its
 * message) unless `aws:cdk:disable-stack-trace` is set; about 0.7 s of `npm test`. Tests read
 * an annotation's message and path, never its trace.
 */
const NO_ANNOTATION_STACK_TRACES = { 'aws:cdk:disable-stack-trace': true };

const given = process.env.CDK_CONTEXT_JSON ? JSON.parse(process.env.CDK_CONTEXT_JSON) as Record<string, unknown> : {};
process.env.CDK_CONTEXT_JSON = JSON.stringify({ ...NO_CREATION_STACK_TRACES, ...NO_ANNOTATION_STACK_TRACES, ...given });
