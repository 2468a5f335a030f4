// How values cross into wasm: as JSON text, refusing whatever JSON would silently lose.
import { TokenError } from './errors.mjs';

// The one way a value crosses into wasm. JSON.stringify would drop
// undefined, functions and symbols (`fixed_params: {org_id: undefined}`
// would pin nothing), turn NaN, ±Infinity and invalid Dates into null
// (which compiles to IS NULL) and a Map or Set into {}; each is refused
// here as ERR_INVALID_OPTION whose claim is the field's path, e.g.
// `scopes[0].fixed_params.org_id`. Rust checks everything else.
export function toJson(value, what) {
  try {
    // Common case first: plain data goes through V8's fast JSON.stringify.
    return carriesExactly(value, 0) ? JSON.stringify(value) : jsonNamingTheLostValue(value, what);
  } catch (error) {
    if (error instanceof TokenError) throw error;
    throw new TokenError('ERR_INVALID_OPTION', `${what}: must be JSON-serialisable (${error.message})`, what);
  }
}

// Whether JSON keeps `value` exactly. False is also the answer for anything
// unusual (toJSON, deep or circular nesting), which the slow path sorts out.
function carriesExactly(value, depth) {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (value === null) return true;
      if (depth > 64 || typeof value.toJSON === 'function') return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          if (!(i in value) || !carriesExactly(value[i], depth + 1)) return false;
        }
        return true;
      }
      // Only plain objects: a Map, a boxed NaN or a class instance takes the slow path.
      const prototype = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      // for-in (about 70 ns faster than Object.keys here) visits every own key JSON
      // writes; a key inherited from Object.prototype is checked too, which at worst
      // sends the value to the slow path.
      for (const key in value) {
        if (!carriesExactly(value[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

// JSON.stringify with a replacer that tracks each value's path and throws at the first lost one.
function jsonNamingTheLostValue(value, what) {
  const paths = new WeakMap();
  const refuse = (path, why) => {
    throw new TokenError('ERR_INVALID_OPTION', `${path || what}: ${why}`, path || what);
  };
  return JSON.stringify(value, function check(key, item) {
    const parent = paths.get(this);
    let path = '';
    if (parent !== undefined) path = Array.isArray(this) ? `${parent}[${key}]` : parent ? `${parent}.${key}` : key;
    switch (typeof item) {
      case 'undefined':
      case 'function':
      case 'symbol':
      case 'bigint':
        refuse(path, `is ${typeof item === 'undefined' ? 'undefined' : `a ${typeof item}`}, which JSON cannot carry`);
        break;
      case 'number':
        if (!Number.isFinite(item)) refuse(path, `is ${item}, not a finite number`);
        break;
      case 'object':
        if (item === null) {
          // Date#toJSON gives null for an invalid Date.
          if (Object.prototype.toString.call(this[key]) === '[object Date]') refuse(path, 'is an invalid Date');
        } else {
          const tag = Object.prototype.toString.call(item);
          if (tag === '[object Map]' || tag === '[object Set]') refuse(path, 'is a Map or Set, which JSON cannot carry');
          // JSON unboxes a Number object, so new Number(NaN) would also become null.
          if (tag === '[object Number]' && !Number.isFinite(Number(item))) refuse(path, `is ${Number(item)}, not a finite number`);
          paths.set(item, path);
        }
        break;
    }
    return item;
  });
}

function isBytes(value) {
  return ArrayBuffer.isView(value) || value instanceof ArrayBuffer;
}

// Options as JSON (undefined stays undefined). Secrets may be bytes; JSON has no bytes,
// so they travel as a number array.
export function optionsJson(options, what) {
  if (options === undefined) return undefined;
  let adapted = options;
  if (options !== null && typeof options === 'object' && isBytes(options.secret)) {
    const view = ArrayBuffer.isView(options.secret)
      ? new Uint8Array(options.secret.buffer, options.secret.byteOffset, options.secret.byteLength)
      : new Uint8Array(options.secret);
    adapted = { ...options, secret: Array.from(view) };
  }
  return toJson(adapted, what);
}

// A missing argument (undefined) reaches Rust as null, which refuses it in its own words.
export function claimsJson(claims, what = 'claims') {
  return claims === undefined ? 'null' : toJson(claims, what);
}
