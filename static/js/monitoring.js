// Progressive enhancement for the printable reports: a button that opens the print dialog.
document.querySelectorAll(".print-button").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
