// Which application pool attributes need new worker processes when they change (IIS 5080: "configuration
// changes in the application pool properties which necessitate a restart of the processes").
// The ones below are read by WAS or HTTP.SYS themselves and take effect at once; every other change
// (processModel, periodicRestart, environmentVariables, startMode, identity …) recycles the pool.

const appliedWithoutRestart = [
  'queueLength',
  'autoStart',
  'failure',
  'recycling.logEventOnRecycle',
  'recycling.disallowOverlappingRotation',
  'recycling.disallowRotationOnConfigChange',
  'processModel.logEventOnProcessModel',
  // Applied to the pool's cgroup in place (docs/process-model.md, Isolation).
  'cpu',
  'memoryLimit',
  'taskLimit',
];

/** `attribute` is a dotted name from diffApplicationHostConfig, e.g. `processModel.maxProcesses`. */
export function requiresRestart(attribute: string): boolean {
  return !appliedWithoutRestart.some((name) => attribute === name || attribute.startsWith(`${name}.`));
}
