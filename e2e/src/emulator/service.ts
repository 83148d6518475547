import type { ServiceSpec } from './protocol.js';
import type { Params } from './query.js';
import type { Caller, EmulatorState } from './state.js';
import type { ResultObject } from './xml.js';

/** What an action handler gets: the state, the verified caller and the request parameters. */
export interface CallContext {
  readonly state: EmulatorState;
  readonly caller: Caller;
  readonly params: Params;
}

/** Returns the `<Action>Result` contents, or undefined for actions with no output. Throws AwsError. */
export type ActionHandler = (context: CallContext) => ResultObject | undefined;

/** What an action that AWS serves without a signature gets: no caller. */
export interface AnonymousCallContext {
  readonly state: EmulatorState;
  readonly params: Params;
}

/** Like {@link ActionHandler}, for an action authenticated by its parameters (a token), not by SigV4. */
export type AnonymousActionHandler = (context: AnonymousCallContext) => ResultObject | undefined;

/** One emulated AWS service: its wire identity and its actions. */
export interface Service {
  readonly spec: ServiceSpec;
  readonly actions: Readonly<Record<string, ActionHandler>>;
  /**
   * Actions AWS answers without SigV4 (AssumeRoleWithWebIdentity): the request needs no signature,
   * and one that is sent is not checked.
   */
  readonly anonymousActions?: Readonly<Record<string, AnonymousActionHandler>>;
  /** Service-wide gate on which kinds of credentials may call it at all; throws AwsError. */
  readonly admit?: (caller: Caller) => void;
}
