import { quietCpuBanner } from '../src/ml/quiet-banner'

// Test files that use TensorFlow.js without choosing a backend (loading a saved model, say) would
// print tfjs's "Hi, looks like you are running TensorFlow.js in Node.js" banner into the run's
// output; the lab's own processes silence it in chooseBackend.
quietCpuBanner()
