// Keyboard-wedge scanners (USB/Bluetooth) "type" the code, a few ms a key, then Enter.
// One window listener tells that burst from a person typing, wherever the focus is.
import { onBeforeUnmount, onMounted } from 'vue'

const MAX_GAP_MS = 35 // a scanner's keys come this fast on average…
// …and a pause this long ends a burst. Generous, because a busy phone or a Bluetooth
// link now and then holds one key back by up to ~100 ms in the middle of a code.
const PAUSE_MS = 200
const MIN_LENGTH = 4

function isTextField(el) {
  return el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement
}

/** Put a field back as it was before the burst, and tell v-model. */
function restore({ el, value }) {
  if (!el || el.value === value) return
  el.value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

/** Keys that came at scanner speed on average (a person types 5–10 a second at most). */
function isBurst(keys, maxGap) {
  if (keys.length < 2) return false
  return (keys[keys.length - 1].at - keys[0].at) / (keys.length - 1) <= maxGap
}

/**
 * Keys typed at scanner speed since the last pause and ended by Enter (at least 4 of
 * them) are a scan: onScan(code) is called, the Enter goes no further, and the field the
 * keys landed in gets its value from before the burst back. Slow typing is left alone.
 */
export function createWedgeListener(onScan, { maxGap = MAX_GAP_MS, minLength = MIN_LENGTH } = {}) {
  let keys = [] // {char, at, el, value}: each key with the field as it was before it

  function onKeydown(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return
    const at = event.timeStamp
    const last = keys[keys.length - 1]
    if (last && at - last.at > PAUSE_MS) keys = []
    if (event.key === 'Enter') {
      const burst = keys
      keys = []
      if (burst.length >= minLength && isBurst(burst, maxGap)) {
        event.preventDefault()
        event.stopPropagation()
        restore(burst[0])
        onScan(burst.map((k) => k.char).join(''))
      }
      return
    }
    if (event.key.length !== 1) return // Shift, Tab, arrows…
    const el = document.activeElement
    keys.push({ char: event.key, at, el: isTextField(el) ? el : null, value: isTextField(el) ? el.value : '' })
  }

  return {
    start: () => window.addEventListener('keydown', onKeydown, true),
    stop: () => window.removeEventListener('keydown', onKeydown, true),
  }
}

/** The wedge listener for as long as the calling component is mounted. */
export function useWedge(onScan, options) {
  const listener = createWedgeListener(onScan, options)
  onMounted(listener.start)
  onBeforeUnmount(listener.stop)
}
