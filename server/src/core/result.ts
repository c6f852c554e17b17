/**
 * The one shape of a fallible operation in the core: parsing and converting never throw (invariant 1), they return
 * a Result. A failure always carries a message worded for the user, and may carry details a caller acts on (the
 * parameter at fault, an index into the text); `ok` tells the two apart. The edges answer in it too where a
 * step can fail (http/client.ts's send: an answer, or why none came).
 */

export type Failure<Details extends object = object> = { ok: false; message: string } & Details;

export type Result<T, Details extends object = object> = { ok: true; value: T } | Failure<Details>;
