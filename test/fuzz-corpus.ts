import { requestNames } from '../src/shared/channels'
import type { Random } from '../src/shared/random'
import { closePayload, frame } from './raw-socket'

// A seeded corpus of hostile input for the browser host: request targets that do not parse or
// decode, and WebSocket frame sequences that break RFC 6455 or the lab's framing. The same seed
// gives the same corpus; the fuzz test prints it so that a failure can be replayed.

const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!
const int = (random: Random, below: number): number => Math.floor(random() * below)

/** Targets every host has met in the wild, and the ones that ended this one. */
export const CLASSIC_TARGETS = [
  '/%',
  '/%E0%A4%A',
  '/%c0%ae',
  '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '/%ed%a0%80',
  '/%f4%90%80%80',
  '/%00',
  '/index.html%00.png',
  'http://[/',
  'http://[::1/',
  'http://a:b@127.0.0.1:1/',
  '*',
  '//evil.example/',
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/..\\..\\package.json',
  `/${'a'.repeat(8000)}`,
  `/${'%'.repeat(3000)}`,
  '/?token=%',
  '/api?%'
]

const TARGET_PIECES = [
  '/',
  '//',
  '%',
  '%2',
  '%zz',
  '%c0%ae',
  '%c1%bf',
  '%ff',
  '%e0%a4%a',
  '%f0%9f%98',
  '%00',
  '%2e%2e',
  '..',
  '.',
  '\\',
  '?',
  '#',
  '[',
  ']',
  '@',
  ':',
  ';',
  'é',
  '\u{1f600}',
  'api',
  'index.html',
  'assets',
  'token=',
  '&',
  '=',
  '\u00ff'
]

/** A request target assembled from pieces that trip URL parsers and decoders. */
export function randomTarget(random: Random): string {
  const start = pick(random, ['/', '/', '/', 'http://', 'http://[', '', '*', '/api'])
  let target = start
  for (let i = 0, n = 1 + int(random, 10); i < n; i++) target += pick(random, TARGET_PIECES)
  return target
}

/** An HTTP/1.1 GET of `target` as raw bytes (UTF-8 where the target is not ASCII). */
export const getRequest = (target: string, host: string): Buffer =>
  Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`, 'utf8')

function randomJson(random: Random, depth = 0): unknown {
  const kind = int(random, depth > 3 ? 5 : 8)
  switch (kind) {
    case 0:
      return null
    case 1:
      return random() < 0.5
    case 2:
      return pick(random, [0, -1, 1e308, -0, 2 ** 53 + 1, 0.5, 1e-320])
    case 3:
      return pick(random, ['', 'x', '\u0000', '\ud800', 'run-x', 'a'.repeat(5000)])
    case 4:
      return pick(random, [[], {}, '__proto__'])
    case 5:
      return Array.from({ length: int(random, 4) }, () => randomJson(random, depth + 1))
    default: {
      const out: Record<string, unknown> = {}
      for (let i = 0, n = int(random, 4); i < n; i++)
        out[pick(random, ['type', 'id', 'name', 'input', 'runId', 'target', 'x', 'constructor'])] =
          randomJson(random, depth + 1)
      return out
    }
  }
}

const randomBytes = (random: Random, n: number): Buffer =>
  Buffer.from(Array.from({ length: n }, () => int(random, 256)))

/** One frame a hostile or broken client might send. */
function randomFrame(random: Random, last: boolean): Buffer {
  const fin = random() < 0.9
  const rsv = random() < 0.05 ? 1 + int(random, 7) : 0
  const mask = random() >= 0.05
  const text = (payload: string | Buffer): Buffer => frame({ opcode: 0x1, payload, fin, rsv, mask })
  switch (int(random, 12)) {
    case 0: {
      const name = random() < 0.7 ? pick(random, requestNames) : String(randomJson(random))
      const input = randomJson(random)
      return text(JSON.stringify({ type: 'request', id: int(random, 1000), name, input }))
    }
    case 1:
      return text(JSON.stringify(randomJson(random)) ?? '')
    case 2:
      return text(randomBytes(random, int(random, 64)))
    case 3: {
      const bytes = pick(random, [1, 100, 1 << 20, 2 ** 40, -1, 0.5, 300 << 20])
      return text(JSON.stringify({ type: 'upload', id: int(random, 10), bytes }))
    }
    case 4:
      return frame({ opcode: 0x2, payload: randomBytes(random, int(random, 200)), fin, rsv, mask })
    case 5:
      return frame({ opcode: pick(random, [0x9, 0xa]), payload: 'p'.repeat(int(random, 200)), fin })
    case 6: {
      const payload = pick(random, [
        closePayload(pick(random, [0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535])),
        Buffer.from([3]),
        Buffer.concat([closePayload(1000), Buffer.from([0xff, 0xfe])])
      ])
      return frame({ opcode: 0x8, payload, mask })
    }
    case 7:
      return frame({ opcode: pick(random, [0x3, 0x4, 0x5, 0x6, 0x7, 0xb, 0xc, 0xf]), payload: 'x' })
    case 8:
      return frame({ opcode: 0x0, payload: randomBytes(random, int(random, 16)), fin })
    case 9:
      return text('['.repeat(int(random, 100_000)))
    case 10:
      // A length that promises more than follows: only as the last frame (the rest never comes).
      return frame({
        opcode: 0x1,
        payload: '{}',
        mask,
        declaredLength: last ? pick(random, [200, 70_000, 2 ** 31, 2 ** 53 - 1]) : undefined
      })
    default:
      return text(`{"type":"request","id":${int(random, 9)},"name":"getInfo"}`)
  }
}

/** A short sequence of frames, ending (usually) with a proper close frame. */
export function randomFrameSequence(random: Random): Buffer[] {
  const n = 1 + int(random, 4)
  const frames = Array.from({ length: n }, (_, i) => randomFrame(random, i === n - 1))
  frames.push(frame({ opcode: 0x8, payload: closePayload(1000) }))
  return frames
}
