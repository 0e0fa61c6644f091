// Keyboard navigation for the review desk and change pages.
// Desk: j / ArrowDown and k / ArrowUp move the selection, Enter or o opens it.
// Change page: any link or button with data-key="x" is followed or pressed on x
// (j older, k newer, u back to the queue, r/c/f verdicts when logged in).
// Keys are ignored while typing in a field, and with Ctrl, Alt or Meta held.

function typing(event) {
  const el = event.target;
  return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}

function deskRows() {
  return Array.from(document.querySelectorAll("table.queue tbody tr[data-href]"));
}

function select(rows, index) {
  rows.forEach((row) => row.classList.remove("selected"));
  const row = rows[index];
  if (!row) return;
  row.classList.add("selected");
  row.setAttribute("aria-selected", "true");
  row.scrollIntoView({ block: "nearest" });
}

function onDeskKey(event) {
  const rows = deskRows();
  if (!rows.length) return false;
  let index = rows.findIndex((row) => row.classList.contains("selected"));
  if (event.key === "j" || event.key === "ArrowDown") {
    select(rows, Math.min(index + 1, rows.length - 1));
  } else if (event.key === "k" || event.key === "ArrowUp") {
    select(rows, Math.max(index - 1, 0));
  } else if ((event.key === "Enter" || event.key === "o") && index >= 0) {
    window.location.href = rows[index].dataset.href;
  } else {
    return false;
  }
  return true;
}

function onPageKey(event) {
  const target = document.querySelector(`[data-key="${CSS.escape(event.key)}"]`);
  if (!target) return false;
  target.click();
  return true;
}

document.addEventListener("keydown", (event) => {
  if (typing(event) || event.ctrlKey || event.altKey || event.metaKey) return;
  const handled = document.body.classList.contains("monitor-desk")
    ? onDeskKey(event)
    : onPageKey(event);
  if (handled) event.preventDefault();
});

// A click anywhere on a queue row opens it (the headline is the real link).
document.addEventListener("click", (event) => {
  const row = event.target.closest && event.target.closest("table.queue tbody tr[data-href]");
  if (!row || event.target.closest("a, button")) return;
  window.location.href = row.dataset.href;
});
