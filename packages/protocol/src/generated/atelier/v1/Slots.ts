// Original file: proto/atelier/v1/agent_link.proto


export interface Slots {
  'free'?: (number);
  /**
   * Shards whose images are all rendered, on a renderer now free, whose
   * uploads and results are still being finished: they hold no slot, so
   * the next shard can start while they end. Each still ends with
   * ShardDone. An agent that names none here holds a slot per live shard.
   */
  'finishing'?: (string)[];
}

export interface Slots__Output {
  'free': (number);
  /**
   * Shards whose images are all rendered, on a renderer now free, whose
   * uploads and results are still being finished: they hold no slot, so
   * the next shard can start while they end. Each still ends with
   * ShardDone. An agent that names none here holds a slot per live shard.
   */
  'finishing': (string)[];
}
