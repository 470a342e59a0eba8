/**
 * The one error this library throws for bad input.
 *
 * Its message names the construct path, the prop as the user wrote it, the value given
 * and what is allowed, so a failed synth points at the line to change:
 * `Web/Service: cpu 256 with memoryMiB 4096 is not a Fargate size; with cpu 256 use memoryMiB 512, 1024 or 2048`.
 *
 * Not exported through jsii (it extends `Error`, which jsii cannot model);
 * use `ConfigurationErrors.isConfigurationError` from any language.
 */
export class ConfigurationError extends Error {
  public readonly constructPath: string;
  public readonly prop: string;
  public readonly value: string;
  public readonly allowed: string;

  constructor(constructPath: string, prop: string, value: string, problem: string, allowed: string) {
    super(`${constructPath}: ${prop} ${value} ${problem}; ${allowed}`);
    this.name = 'ConfigurationError';
    this.constructPath = constructPath;
    this.prop = prop;
    this.value = value;
    this.allowed = allowed;
    Object.setPrototypeOf(this, ConfigurationError.prototype);
  }
}

/**
 * Tells this library's bad-input errors apart from others, in any jsii language.
 */
export class ConfigurationErrors {
  /** True when `x` was thrown by this library's prop validation. */
  public static isConfigurationError(x: unknown): boolean {
    return x instanceof ConfigurationError;
  }

  /** The prop named by a configuration error, or undefined for any other value. */
  public static propOf(x: unknown): string | undefined {
    return x instanceof ConfigurationError ? x.prop : undefined;
  }

  private constructor() {}
}
