export { createMetricsRecorder, minuteKey, minuteOf, LIVE_SLOT_KEY, type MetricsRecorder, type MetricsRecorderOptions, type RequestObserver, type RequestSample, type CriticalSignal, type CounterSource } from "./recorder";
export * from "./metric-fields";
