// What a scan sounds and feels like: a short high beep for yes, a low double tone for no.
let audio = null

function context() {
  const Audio = window.AudioContext || window.webkitAudioContext
  if (!Audio) return null
  audio ??= new Audio()
  // Browsers start audio suspended until a user gesture; the scan screen has had one.
  if (audio.state === 'suspended') audio.resume().catch(() => {})
  return audio
}

function tone(frequency, startAt, durationMs) {
  const ctx = context()
  if (!ctx) return
  const osc = ctx.createOscillator()
  const gain = ctx.createGain()
  osc.type = 'square'
  osc.frequency.value = frequency
  gain.gain.value = 0.08
  osc.connect(gain).connect(ctx.destination)
  const start = ctx.currentTime + startAt
  osc.start(start)
  osc.stop(start + durationMs / 1000)
}

export function scanSucceeded() {
  try {
    tone(1800, 0, 80)
  } catch {
    // no sound is no reason to fail a scan
  }
  navigator.vibrate?.(50)
}

export function scanFailed() {
  try {
    tone(300, 0, 120)
    tone(300, 0.18, 120)
  } catch {
    // as above
  }
  navigator.vibrate?.([80, 60, 80])
}

/** Call from a tap (e.g. the camera button) so later beeps are allowed to play. */
export function unlockAudio() {
  context()
}
