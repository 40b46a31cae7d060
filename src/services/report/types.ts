import type { ReportSection } from '../../shared/report'
import type { Font, SessionView } from '../../shared/schemas'
import type { SessionSummary } from '../../shared/session'
import type { ReportInference } from './inference'

// What the parts of a report share.

export interface ReportContext {
  inference: ReportInference
  /** The lab's character sets, for the original glyphs of runs trained on Font1-3. */
  fonts: readonly Font[]
  /** The class names of a VAE's data set (built-in or imported). */
  classNames(dataset: string): Promise<readonly string[]>
}

/** One lab's part of the report. */
export interface LabPart {
  runs: readonly SessionSummary[]
  /** The session's view: grid sizes, the interpolation and path the user set up. */
  view: SessionView
  sections: ReadonlySet<ReportSection>
  context: ReportContext
  /** Each run's name in the report, by id. */
  names: ReadonlyMap<string, string>
  /** Each run's colour in curves shared by several runs, by id. */
  colors: ReadonlyMap<string, string>
}
