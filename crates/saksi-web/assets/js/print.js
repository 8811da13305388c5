// The print button of a printable page (the D.Hasil): the browser's own
// print dialog. It stays hidden without JavaScript, where it could do
// nothing; the stylesheet's print rules hide it and the navigation on
// paper.
const button = document.getElementById("print");
if (button) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
