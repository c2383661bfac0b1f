// Steps through the app shared by the browser tests and the measurement scripts.

/** Signs in with the local form and waits for the home screen. */
export async function signIn(page, base, email, password) {
  await page.goto(base + "/");
  await page.getByLabel("Thư điện tử").fill(email);
  await page.getByLabel("Mật khẩu").fill(password);
  await page.getByRole("button", { name: "Đăng nhập" }).click();
  await page.getByRole("heading", { name: "Trang chủ" }).waitFor();
}

/** From the home screen, opens the editor on a new draft. */
export async function newInvoice(page) {
  await page.getByRole("link", { name: "Trang chủ" }).click();
  await page.getByRole("link", { name: "Lập hóa đơn" }).click();
  await page.locator("#symbol").waitFor();
}
