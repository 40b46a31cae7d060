import { Worker } from 'node:worker_threads'
import type { BackendName } from '../shared/schemas'
import { describeIssues } from '../shared/contract'
import {
  fromWorkerSchema,
  workerRequests,
  type FromWorker,
  type ToWorker,
  type WorkerData,
  type WorkerReply,
  type WorkerRequest,
  type WorkerRequestType
} from '../worker/protocol'

// One training worker thread, as the training service sees it: started on first use, replaced
// on the next request after a crash. Every message from it is validated; a reply against the
// schema of the request it answers.

export class LabBusyError extends Error {}
/** A worker did not answer a request in time. */
export class LabTimeoutError extends LabBusyError {}
export class LabNotFoundError extends Error {}

export interface Ready {
  backend: BackendName
  note: string
  tfjs: string
}

/** What a worker sends besides its start-up and its replies to requests. */
export type WorkerEvent = Exclude<FromWorker, { type: 'ready' | 'inferred' | 'inferFailed' }>

type Pending = { resolve: (raw: unknown) => void; reject: (e: Error) => void }
type Unsent<T extends WorkerRequestType> = Omit<WorkerRequest<T>, 'id'>

export class WorkerLink {
  private worker: Worker | null = null
  private ready: Promise<Ready> | null = null
  private counter = 0
  private readonly pending = new Map<number, Pending>()

  constructor(
    private readonly workerPath: string,
    private readonly workerData: () => WorkerData,
    private readonly onMessage: (message: WorkerEvent) => void,
    private readonly onCrash: (reason: string) => void,
    private readonly timeoutMs: number
  ) {}

  ensure(): Promise<Ready> {
    if (this.ready) return this.ready
    const worker = new Worker(this.workerPath, { workerData: this.workerData() })
    this.worker = worker
    this.ready = new Promise<Ready>((resolve, reject) => {
      worker.on('message', (raw: unknown) => {
        const parsed = fromWorkerSchema.safeParse(raw)
        if (!parsed.success) return
        const message = parsed.data
        if (message.type === 'ready')
          resolve({ backend: message.backend, note: message.note, tfjs: message.tfjs })
        else if (message.type === 'inferred' || message.type === 'inferFailed') {
          const pending = this.pending.get(message.id)
          this.pending.delete(message.id)
          if (message.type === 'inferred') pending?.resolve(message.result)
          else pending?.reject(new LabNotFoundError(message.message))
        } else this.onMessage(message)
      })
      const fail = (error: Error): void => {
        reject(error)
        this.crashed(worker, error.message)
      }
      worker.on('error', fail)
      worker.on('exit', (code) => fail(new Error(`the training worker exited (code ${code})`)))
    })
    return this.ready
  }

  async post(message: Extract<ToWorker, { type: 'start' }>): Promise<void> {
    await this.ensure()
    this.worker!.postMessage(message)
  }

  /**
   * Sends a request and waits for its answer, at most the link's timeout; `what` names it. The
   * answer is checked against the request's reply schema.
   */
  async request<T extends WorkerRequestType>(
    message: Unsent<T> & { type: T },
    what: string
  ): Promise<WorkerReply<T>> {
    await this.ensure()
    const id = this.counter++
    const raw = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(
          new LabTimeoutError(
            `the training worker did not answer (${what}) within ${this.timeoutMs / 1000} s`
          )
        )
      }, this.timeoutMs)
      const settle =
        <V>(done: (value: V) => void) =>
        (value: V): void => {
          clearTimeout(timer)
          done(value)
        }
      this.pending.set(id, { resolve: settle(resolve), reject: settle(reject) })
      this.worker!.postMessage({ ...message, id })
    })
    const reply = workerRequests[message.type].reply.safeParse(raw)
    if (!reply.success)
      throw new Error(
        `the training worker sent a malformed answer (${what}): ${describeIssues(reply.error)}`
      )
    return reply.data as WorkerReply<T>
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    this.ready = null
    if (worker) await worker.terminate()
  }

  private crashed(worker: Worker, reason: string): void {
    if (this.worker !== worker) return
    this.worker = null
    this.ready = null
    for (const pending of this.pending.values())
      pending.reject(new Error(`the training worker stopped unexpectedly: ${reason}`))
    this.pending.clear()
    this.onCrash(reason)
  }
}
