// Original file: proto/atelier/v1/common.proto

export const ItemState = {
  ITEM_STATE_UNSPECIFIED: 'ITEM_STATE_UNSPECIFIED',
  ITEM_STATE_QUEUED: 'ITEM_STATE_QUEUED',
  ITEM_STATE_LEASED: 'ITEM_STATE_LEASED',
  ITEM_STATE_DONE: 'ITEM_STATE_DONE',
  ITEM_STATE_FAILED: 'ITEM_STATE_FAILED',
  ITEM_STATE_CANCELLED: 'ITEM_STATE_CANCELLED',
  /**
   * Every attempt stayed below the CLIP quality gate.
   */
  ITEM_STATE_EXHAUSTED: 'ITEM_STATE_EXHAUSTED',
} as const;

export type ItemState =
  | 'ITEM_STATE_UNSPECIFIED'
  | 0
  | 'ITEM_STATE_QUEUED'
  | 1
  | 'ITEM_STATE_LEASED'
  | 2
  | 'ITEM_STATE_DONE'
  | 3
  | 'ITEM_STATE_FAILED'
  | 4
  | 'ITEM_STATE_CANCELLED'
  | 5
  /**
   * Every attempt stayed below the CLIP quality gate.
   */
  | 'ITEM_STATE_EXHAUSTED'
  | 6

export type ItemState__Output = typeof ItemState[keyof typeof ItemState]
