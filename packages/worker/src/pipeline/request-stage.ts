// The twelve deterministic request notifications of IIS's integrated pipeline, in order (reference §6b),
// with the RQ_ bit WMI shows as PipelineState.

export const REQUEST_STAGES = [
  'BeginRequest',
  'AuthenticateRequest',
  'AuthorizeRequest',
  'ResolveRequestCache',
  'MapRequestHandler',
  'AcquireRequestState',
  'PreExecuteRequestHandler',
  'ExecuteRequestHandler',
  'ReleaseRequestState',
  'UpdateRequestCache',
  'LogRequest',
  'EndRequest',
] as const;

export type RequestStage = (typeof REQUEST_STAGES)[number];

/** Index of each stage in REQUEST_STAGES. */
export const Stage = {
  BeginRequest: 0,
  AuthenticateRequest: 1,
  AuthorizeRequest: 2,
  ResolveRequestCache: 3,
  MapRequestHandler: 4,
  AcquireRequestState: 5,
  PreExecuteRequestHandler: 6,
  ExecuteRequestHandler: 7,
  ReleaseRequestState: 8,
  UpdateRequestCache: 9,
  LogRequest: 10,
  EndRequest: 11,
} as const satisfies Record<RequestStage, number>;

/** RQ_BEGIN_REQUEST = 0x001 … RQ_END_REQUEST = 0x800. */
export const stageBit = (index: number): number => 1 << index;

export function isRequestStage(name: string): name is RequestStage {
  return (REQUEST_STAGES as readonly string[]).includes(name);
}
