/**
 * Keys of the work store's entities. Table storage refuses `/ \ # ?` and control characters in
 * PartitionKey and RowKey, and job ids carry slashes (`<campaignId>/reminder-2`), so keys are
 * percent-encoded; the raw ids are kept as properties and read back from there.
 */

const UNSAFE_KEY_CHARS = /[%/\\#?]|\p{Cc}/gu;

export function encodeKey(value: string): string {
  return value.replace(
    UNSAFE_KEY_CHARS,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

/** Milliseconds as 16 fixed digits, so that key order is time order (up to the year 275760). */
export function sortableMs(ms: number): string {
  return String(Math.max(0, Math.trunc(ms))).padStart(16, '0');
}

// Row kinds inside a job's partition of the deliveries table. '|' sorts after every digit and
// letter used in the prefixes, and `<prefix>}` bounds a prefix range from above.
export const DELIVERY_PREFIX = 'd|';
export const QUEUE_PREFIX = 'q|';
export const IN_FLIGHT_PREFIX = 'f|';
export const CONTROL_ROW = 'ctl';
/**
 * A job's control row is kept in this many lanes (`ctl`, `ctl|1` … `ctl|7`), each holding the
 * same status and fencing token. A claim rewrites one lane under its etag, so claims in one job
 * no longer wait for each other one storage round trip at a time; a pause, cancel or a new
 * sender's fence rewrites every lane. A job made before lanes has only `ctl` and keeps using it.
 */
export const CONTROL_LANES = 8;
export const controlRowKey = (lane: number): string =>
  lane === 0 ? CONTROL_ROW : `${CONTROL_ROW}|${lane}`;
/** Upper bound of every control lane's row key. */
export const CONTROL_END = `${CONTROL_ROW}}`;

/** Upper bound of every row key that starts with `prefix` (which ends in '|'). */
export function prefixEnd(prefix: string): string {
  return `${prefix.slice(0, -1)}}`;
}

export const jobPartition = (jobId: string): string => encodeKey(jobId);
export const deliveryRowKey = (userId: string): string => DELIVERY_PREFIX + encodeKey(userId);
export const inFlightRowKey = (userId: string): string => IN_FLIGHT_PREFIX + encodeKey(userId);

/**
 * A queued row's entry in its job's queue: ordered by not-before time, then enqueue order, so
 * the sender's "next queued rows of a job" is one range query on one partition.
 */
export function queueRowKey(notBeforeMs: number, seq: string, userId: string): string {
  return `${QUEUE_PREFIX}${sortableMs(notBeforeMs)}|${seq}|${encodeKey(userId)}`;
}

/** Enqueue order: the enqueue call's time, then the position in its recipient list. */
export function enqueueSeq(enqueuedAtMs: number, index: number): string {
  return `${sortableMs(enqueuedAtMs)}.${String(index).padStart(8, '0')}`;
}

/** Table names: letters and digits, starting with a letter, 3 to 63 characters. */
export function tableName(prefix: string, name: string): string {
  return `${prefix}${name}`;
}

export const TABLE_PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,40}$/;

/** The one partition of the checkpoints table (row keys: checkpointCopyKey, newest first). */
export const CHECKPOINT_PARTITION = 'checkpoints';
