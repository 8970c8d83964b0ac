// mfo in a real browser: headless Chromium from Debian (/usr/bin/chromium),
// driven by Playwright (playwright-core: no browser download), the way a
// person uses the site. Run by run-e2e (ctest: e2e_browser), which sets:
//   BASE_URL                 the front server, e.g. http://127.0.0.1:8080
//   MFO_E2E_SCREENSHOTS      folder for the screenshots of each step
//   MFO_ADMIN_EMAIL / MFO_ADMIN_PASSWORD   an account with the Admin role
//   MFO_CHROMIUM             the browser (default /usr/bin/chromium)
//   MFO_TEST_HTTPS_REDIRECT_URL  with an https BASE_URL: the front server's
//                            plain-http port, which redirects to it
//
// The journey: register a new user, see the home page, log out with the nav
// button, fail a login (wrong password), log in, get the forbidden page on
// /admin, log in as an admin and see the admin page, and come back to /admin
// after logging in from it. Along the way: the nav follows the login state,
// a flash message shows once, the first field has the focus, every field has
// a label and its error message is tied to it (aria-describedby), and at
// 375x667 nothing overflows sideways. Every admin console page (overview,
// user list, a search, user pages, roles) is checked at 1280 and 375 px: no
// horizontal overflow, its tables inside the card, and at 1280 px no table
// needs a scrollbar. Over https (the shipped https configs, a test CA the
// browser trusts like a real one) also: the http port redirects to the same
// path and query on https, HSTS once on the page, a login round trip with
// next, the cookie jar holds only Secure, HttpOnly __Host- cookies, and a
// plain cookie planted for a sibling path cannot replace the session.
// One line per check ("ok" / "not ok");
// the first failure stops the run with a screenshot of the page.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { chromium } = require('playwright-core');

const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
const SHOTS = process.env.MFO_E2E_SCREENSHOTS || path.resolve(__dirname, '../../build/e2e/screenshots');
const ADMIN_EMAIL = process.env.MFO_ADMIN_EMAIL;
const ADMIN_PASSWORD = process.env.MFO_ADMIN_PASSWORD;
const CHROMIUM = process.env.MFO_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 375, height: 667 };
const FORBIDDEN_TEXT = 'Sorry, you must be a Admin to access this page';
const HTTPS = BASE_URL.startsWith('https://');
const HTTPS_REDIRECT_URL = (process.env.MFO_TEST_HTTPS_REDIRECT_URL || '').replace(/\/+$/, '');
const HSTS = 'max-age=31536000; includeSubDomains';

if (HTTPS && !HTTPS_REDIRECT_URL) {
  console.error('an https BASE_URL needs MFO_TEST_HTTPS_REDIRECT_URL (run through tests/https/through-https)');
  process.exit(2);
}
if (!BASE_URL || !ADMIN_EMAIL || !ADMIN_PASSWORD) {
  console.error('BASE_URL, MFO_ADMIN_EMAIL and MFO_ADMIN_PASSWORD must be set (run through run-e2e)');
  process.exit(2);
}

// ---- reporting ---------------------------------------------------------------

let checks = 0;
let shotNo = 0;

class CheckFailed extends Error {}

function check(cond, what, detail) {
  checks += 1;
  if (cond) {
    console.log(`ok ${checks} - ${what}`);
    return;
  }
  console.log(`not ok ${checks} - ${what}${detail === undefined ? '' : `: ${detail}`}`);
  throw new CheckFailed(what);
}

async function shot(page, name, opts = {}) {
  shotNo += 1;
  const file = path.join(SHOTS, `${String(shotNo).padStart(2, '0')}-${name}.png`);
  await page.mouse.move(0, 0);  // no hover effect from the last click
  await page.screenshot({ path: file, fullPage: true, ...opts });
  console.log(`# screenshot ${path.relative(process.cwd(), file)}`);
}

// ---- page helpers ------------------------------------------------------------

const url = (p) => BASE_URL + p;
const pathOf = (page) => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

async function goto(page, p) {
  return page.goto(url(p), { waitUntil: 'load' });
}

// Clicks something that submits a form or follows a link, and waits for the
// next page to load.
async function clickAndLoad(page, locator) {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
}

async function mainHeading(page) {
  return (await page.locator('main h1').first().innerText()).trim();
}

// The header's account area: logged-in (email + Log out button) or
// anonymous (Log in / Register links), and never both.
async function checkNav(page, email) {
  const header = page.locator('header');
  const logout = header.getByRole('button', { name: 'Log out' });
  const login = header.getByRole('link', { name: 'Log in', exact: true });
  const register = header.getByRole('link', { name: 'Register', exact: true });
  const where = pathOf(page);
  if (email) {
    check(await logout.isVisible(), `nav on ${where} has a Log out button`);
    check(await login.count() === 0 && await register.count() === 0,
      `nav on ${where} has no Log in / Register links when logged in`);
    const shown = await header.locator('.account').innerText();
    check(shown.includes(email), `nav on ${where} shows the signed-in email`, shown);
  } else {
    check(await login.isVisible() && await register.isVisible(),
      `nav on ${where} has Log in and Register links when anonymous`);
    check(await logout.count() === 0, `nav on ${where} has no Log out button when anonymous`);
  }
}

// The first form field has the keyboard focus once the page has loaded.
async function checkFirstFieldFocused(page, id) {
  let focused = '';
  try {
    await page.waitForFunction((want) => document.activeElement && document.activeElement.id === want,
      id, { timeout: 5000 });
    focused = id;
  } catch {
    focused = await page.evaluate(() => {
      const el = document.activeElement;
      return el ? `${el.tagName.toLowerCase()}#${el.id}` : 'nothing';
    });
  }
  check(focused === id, `the first field (#${id}) has the focus on ${pathOf(page)}`, `focus on ${focused}`);
}

// Each label finds exactly its input (getByLabel), and every visible input
// of the page's forms has a label.
async function checkLabels(page, labels) {
  for (const [text, id] of labels) {
    const field = page.getByLabel(text, { exact: true });
    const n = await field.count();
    check(n === 1 && await field.getAttribute('id') === id,
      `label "${text}" is tied to #${id} on ${pathOf(page)}`, `${n} match(es)`);
  }
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('main input')]
    .filter((el) => el.type !== 'hidden' && !(el.labels && el.labels.length))
    .map((el) => el.name || el.id));
  check(unlabelled.length === 0, `every field on ${pathOf(page)} has a label`, unlabelled.join(', '));
}

// The field's accessible description (its aria-describedby targets) holds
// `text`, and the field is marked invalid.
async function describedBy(page, id) {
  return page.locator(`#${id}`).evaluate((el) => ({
    invalid: el.getAttribute('aria-invalid'),
    ids: (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean),
    missing: (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
      .filter((ref) => !document.getElementById(ref)),
    text: (el.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
      .map((ref) => (document.getElementById(ref) || {}).textContent || '').join(' '),
  }));
}

async function checkErrorTied(page, id, text) {
  const d = await describedBy(page, id);
  check(d.missing.length === 0, `#${id}'s aria-describedby points at elements of the page`, d.missing.join(' '));
  check(d.text.includes(text), `#${id} is described by the error "${text}"`, `description: "${d.text}"`);
  check(d.invalid === 'true', `#${id} is marked aria-invalid`, d.invalid);
}

async function checkNoHorizontalOverflow(page, what, width = MOBILE.width) {
  const m = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}`),
  }));
  check(m.scroll <= m.client, `${what}: no horizontal overflow at ${width}px`,
    `scrollWidth ${m.scroll} > clientWidth ${m.client} (${m.wide.join(', ')})`);
}

// The console's tables stay inside the card: nothing in the card reaches
// past its edge (the card would clip it or the page would widen), and at
// desktop width no table even needs its frame's scrollbar (it wraps).
async function checkTablesFitTheCard(page, what, width) {
  const m = await page.evaluate(() => {
    const card = document.querySelector('main .card');
    const edge = card.getBoundingClientRect().right + 0.5;
    return {
      outside: [...card.querySelectorAll('*')]
        .filter((el) => !el.closest('.table-wrap') || el.classList.contains('table-wrap'))
        .filter((el) => el.getBoundingClientRect().right > edge)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}`),
      scrolling: [...card.querySelectorAll('.table-wrap')]
        .filter((el) => el.scrollWidth > el.clientWidth + 0.5)
        .map((el) => `${el.querySelector('table')?.className || 'table'} ${el.scrollWidth}>${el.clientWidth}`),
      tables: card.querySelectorAll('.table-wrap').length,
    };
  });
  check(m.outside.length === 0, `${what}: everything stays inside the card at ${width}px`, m.outside.join(', '));
  if (width >= DESKTOP.width) {
    check(m.scrolling.length === 0, `${what}: its ${m.tables} table(s) fit the card at ${width}px without scrolling`,
      m.scrolling.join(', '));
  }
}

// A console page at both sizes: no page overflow, tables inside the card.
async function checkConsoleLayout(page, what) {
  for (const size of [DESKTOP, MOBILE]) {
    await page.setViewportSize(size);
    await checkNoHorizontalOverflow(page, what, size.width);
    await checkTablesFitTheCard(page, what, size.width);
  }
  await page.setViewportSize(DESKTOP);
}

// Takes the mobile screenshot and overflow check of the current page, then
// goes back to the desktop size. Reloading is not needed: the layout is
// responsive CSS only.
async function atMobileSize(page, name, what) {
  await page.setViewportSize(MOBILE);
  await checkNoHorizontalOverflow(page, what);
  await shot(page, `${name}-mobile`);
  await page.setViewportSize(DESKTOP);
}

// The stylesheets follow the system's dark mode: a screenshot of it.
async function inDarkMode(page, name) {
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, `${name}-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

async function flashTexts(page) {
  return page.locator('.flash').allInnerTexts();
}

async function logIn(page, email, password) {
  await page.getByLabel('Email Address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await clickAndLoad(page, page.locator('main').getByRole('button', { name: 'Log in' }));
}

async function logOutWithNavButton(page) {
  await clickAndLoad(page, page.locator('header').getByRole('button', { name: 'Log out' }));
}

// ---- the journey -----------------------------------------------------------------

async function journey(context, page) {
  const suffix = crypto.randomBytes(6).toString('hex');
  // Long, so the console's event and user tables hold a long unbreakable cell.
  const email = `e2e-${suffix}-festival-volunteer.with-a-long-address@crew.testmail.com`;
  const password = `Browser-${suffix}-Pass`;

  // 1. Anonymous: "/" sends to the login page; the nav offers Log in and Register.
  let r = await goto(page, '/');
  check(new URL(page.url()).pathname === '/login', 'anonymous "/" ends on the login page', pathOf(page));
  check(r.status() === 200, 'the login page answers 200', r.status());
  await checkNav(page, null);
  await checkFirstFieldFocused(page, 'email');
  await checkLabels(page, [['Email Address', 'email'], ['Password', 'password'], ['Remember me', 'remember']]);
  const cssOk = await page.evaluate(() => getComputedStyle(document.body).display === 'flex');
  check(cssOk, 'the site stylesheet is applied (served by the front server)');
  await shot(page, 'login-anonymous-desktop');
  await atMobileSize(page, 'login-anonymous', 'login page');

  // 2. Register through the nav link; first with mistakes, to see the field errors.
  await clickAndLoad(page, page.locator('header').getByRole('link', { name: 'Register', exact: true }));
  check(new URL(page.url()).pathname === '/register', 'the nav Register link opens /register', pathOf(page));
  check(await mainHeading(page) === 'Register', 'the register page has its heading');
  await checkFirstFieldFocused(page, 'email');
  await checkLabels(page, [['Email Address', 'email'], ['Password', 'password'],
    ['Retype Password', 'password_confirm']]);
  const hint = await describedBy(page, 'password');
  check(hint.text.includes('8 to 128 characters'), 'the password field is described by its hint', hint.text);

  await page.getByLabel('Email Address', { exact: true }).fill('not-an-email');
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Retype Password', { exact: true }).fill(`${password}-typo`);
  await clickAndLoad(page, page.locator('main').getByRole('button', { name: 'Register' }));
  const emailError = page.locator('#email-error');
  check(await emailError.isVisible(), 'an invalid email shows an error under the field',
    await page.locator('main').innerText());
  await checkErrorTied(page, 'email', (await emailError.innerText()).trim());
  const confirmError = page.locator('#confirm-error');
  if (await confirmError.count()) {
    await checkErrorTied(page, 'password_confirm', (await confirmError.innerText()).trim());
  }
  check(await page.getByLabel('Email Address', { exact: true }).inputValue() === 'not-an-email',
    'the form keeps the typed email');
  await shot(page, 'register-errors-desktop');
  await atMobileSize(page, 'register-errors', 'register page with errors');

  await page.getByLabel('Email Address', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Retype Password', { exact: true }).fill(password);
  await clickAndLoad(page, page.locator('main').getByRole('button', { name: 'Register' }));

  // 3. The new user is logged in and sees the home page.
  check(new URL(page.url()).pathname === '/', 'registering ends on the home page', pathOf(page));
  check(await mainHeading(page) === 'Home', 'the home page has its heading');
  const welcome = await page.locator('main').innerText();
  check(welcome.includes(email), 'the home page names the new user', welcome);
  await checkNav(page, email);
  await shot(page, 'home-after-register-desktop');
  await atMobileSize(page, 'home-after-register', 'home page');

  // 4. Log out with the nav button: the login page, a flash shown once.
  await logOutWithNavButton(page);
  check(new URL(page.url()).pathname === '/login', 'the nav Log out button ends on the login page', pathOf(page));
  await checkNav(page, null);
  let flashes = await flashTexts(page);
  check(flashes.some((t) => t.includes('You have been logged out.')), 'a flash says "You have been logged out."',
    JSON.stringify(flashes));
  await shot(page, 'logged-out-flash-desktop');
  await page.reload({ waitUntil: 'load' });
  flashes = await flashTexts(page);
  check(flashes.length === 0, 'the flash is gone after a reload', JSON.stringify(flashes));
  r = await goto(page, '/');
  check(new URL(page.url()).pathname === '/login', 'after logout "/" needs a login again', pathOf(page));

  // 5. A wrong password: the generic error, tied to both fields; nothing else changes.
  await goto(page, '/login');
  await logIn(page, email, `${password}-wrong`);
  check(new URL(page.url()).pathname === '/login', 'a wrong password stays on the login page', pathOf(page));
  const formError = page.locator('main [role="alert"]');
  check(await formError.isVisible(), 'a wrong password shows an alert');
  const errorText = (await formError.innerText()).trim();
  check(errorText === 'Invalid email or password', 'the alert says "Invalid email or password"', errorText);
  await checkErrorTied(page, 'email', errorText);
  await checkErrorTied(page, 'password', errorText);
  check(await page.getByLabel('Email Address', { exact: true }).inputValue() === email,
    'the login form keeps the email');
  check(await page.getByLabel('Password', { exact: true }).inputValue() === '',
    'the login form never echoes the password');
  await checkNav(page, null);
  await shot(page, 'login-wrong-password-desktop');
  await atMobileSize(page, 'login-wrong-password', 'login page with an error');
  await inDarkMode(page, 'login-wrong-password');

  // 6. The right password: home.
  await logIn(page, email, password);
  check(new URL(page.url()).pathname === '/', 'logging in ends on the home page', pathOf(page));
  await checkNav(page, email);

  // 7. A User on /admin: the forbidden page, with the nav still logged in.
  r = await goto(page, '/admin');
  check(r.status() === 403, 'a User gets 403 on /admin', r.status());
  check(await mainHeading(page) === 'Access forbidden', 'the forbidden page has its heading');
  const forbidden = await page.locator('main').innerText();
  check(forbidden.includes(FORBIDDEN_TEXT), `the forbidden page says "${FORBIDDEN_TEXT}"`, forbidden);
  await checkNav(page, email);
  await shot(page, 'admin-forbidden-desktop');
  await atMobileSize(page, 'admin-forbidden', 'forbidden page');
  await clickAndLoad(page, page.locator('main').getByRole('link', { name: 'Back to home' }));
  check(new URL(page.url()).pathname === '/', '"Back to home" goes home', pathOf(page));

  // 8. Log out, log in as an admin: the admin page.
  await logOutWithNavButton(page);
  await logIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  check(new URL(page.url()).pathname === '/', 'the admin lands on the home page', pathOf(page));
  r = await goto(page, '/admin');
  check(r.status() === 200, 'an Admin gets /admin', r.status());
  check(await mainHeading(page) === 'Admin', 'the admin page has its heading');
  await checkNav(page, ADMIN_EMAIL);
  await checkConsoleLayout(page, 'admin page');
  await shot(page, 'admin-page-desktop');
  await atMobileSize(page, 'admin-page', 'admin page');
  await inDarkMode(page, 'admin-page');

  // The console's other pages hold at both sizes too (looked at, not changed).
  await clickAndLoad(page, page.locator('main').getByRole('link', { name: 'Users', exact: true }));
  check(new URL(page.url()).pathname === '/admin/users', 'the Users button opens /admin/users', pathOf(page));
  await checkFirstFieldFocused(page, 'q');
  await checkLabels(page, [['Search by email', 'q']]);
  const hintText = (await describedBy(page, 'q')).text;
  check(hintText.includes('start with'), 'the search field says it is a prefix search', hintText);
  await checkConsoleLayout(page, 'admin users page');
  await page.getByLabel('Search by email', { exact: true }).fill(email.slice(0, 12));
  await clickAndLoad(page, page.locator('main').getByRole('button', { name: 'Search' }));
  const found = await page.locator('main table').innerText();
  check(found.includes(email), 'a search by the start of the email finds the new user', found);
  await checkConsoleLayout(page, 'admin users search');
  await shot(page, 'admin-users-search-desktop');
  await clickAndLoad(page, page.locator('main table').getByRole('link', { name: email, exact: true }));
  check(await mainHeading(page) === email, 'the found user\'s page opens', pathOf(page));
  const events = await page.locator('main table.events').innerText();
  check(events.includes('user.register'), 'the user\'s page lists its events (its registration)', events);
  await checkConsoleLayout(page, 'admin page of a user with a long email');
  await shot(page, 'admin-user-long-email-desktop');
  await goto(page, '/admin/users');
  await shot(page, 'admin-users-desktop');
  await atMobileSize(page, 'admin-users', 'admin users page');
  await clickAndLoad(page, page.locator('main table').getByRole('link', { name: ADMIN_EMAIL, exact: true }));
  check(await mainHeading(page) === ADMIN_EMAIL, 'a user link opens that user\'s page', pathOf(page));
  await checkConsoleLayout(page, 'admin user page');
  await shot(page, 'admin-user-desktop');
  await atMobileSize(page, 'admin-user', 'admin user page');
  r = await goto(page, '/admin/roles');
  check(r.status() === 200 && await mainHeading(page) === 'Roles', 'an Admin gets /admin/roles', r.status());
  await checkConsoleLayout(page, 'admin roles page');
  await shot(page, 'admin-roles-desktop');
  await atMobileSize(page, 'admin-roles', 'admin roles page');

  // 9. `next`: an anonymous visit to /admin asks for a login, then comes back to /admin.
  await logOutWithNavButton(page);
  await context.clearCookies();
  r = await goto(page, '/admin');
  const asked = new URL(page.url());
  check(asked.pathname === '/login' && asked.searchParams.get('next') === '/admin',
    'anonymous /admin is sent to /login?next=/admin', pathOf(page));
  flashes = await flashTexts(page);
  check(flashes.some((t) => t.includes('Please log in to access this page.')),
    'a flash asks to log in', JSON.stringify(flashes));
  await checkFirstFieldFocused(page, 'email');
  await shot(page, 'login-next-desktop');
  await logIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  check(pathOf(page) === '/admin', 'after logging in the admin is back on /admin', pathOf(page));
  check(await mainHeading(page) === 'Admin', 'and sees the admin page');
  flashes = await flashTexts(page);
  check(flashes.length === 0, 'the login flash was shown once only', JSON.stringify(flashes));
  await shot(page, 'admin-after-next-desktop');
  await logOutWithNavButton(page);

  // 10. Another application behind mfo's login (conf/*/mfo-protect.conf, set up
  // by scripts/test): anonymous -> the login page -> back at the original URL
  // of the protected app, which sees who the user is; the protected folder;
  // after logging out, the app asks for a login again.
  await context.clearCookies();
  const original = '/backoffice/orders?view=week&sort=date';
  await goto(page, original);
  const toLogin = new URL(page.url());
  check(toLogin.pathname === '/login' && toLogin.searchParams.get('next') === original,
    `anonymous ${original} is sent to the login page with next`, pathOf(page));
  await shot(page, 'protected-app-login-desktop');
  await logIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  check(pathOf(page) === original, 'after logging in the user is back at the protected URL', pathOf(page));
  const echo = JSON.parse(await page.locator('body').innerText());
  check(echo.path === original, 'the protected app answered the original request', echo.path);
  const sent = Object.fromEntries(echo.headers.map(([k, v]) => [k.toLowerCase(), v]));
  check(sent['x-mfo-email'] === ADMIN_EMAIL && (sent['x-mfo-roles'] || '').includes('Admin'),
    'the protected app got the identity from mfo', JSON.stringify(sent));
  await shot(page, 'protected-app-desktop');
  r = await goto(page, '/files/lineup.txt');
  check(r.status() === 200 && (await r.text()).includes('Festival line-up'),
    'an Admin gets the protected static file', r.status());
  await goto(page, '/');
  await logOutWithNavButton(page);
  await goto(page, original);
  check(new URL(page.url()).pathname === '/login', 'after logging out the protected app asks for a login again',
    pathOf(page));
}

// ---- over https ------------------------------------------------------------------

// The browser's cookies for the site: every one Secure, HttpOnly, host-only,
// Path=/ and named __Host-... (what the app sets under https).
async function checkCookieJar(context, what) {
  const jar = await context.cookies(BASE_URL);
  const bad = jar.filter((c) => !(c.name.startsWith('__Host-') && c.secure && c.httpOnly && c.path === '/'
    && !c.domain.startsWith('.')));
  check(jar.length > 0 && bad.length === 0,
    `${what}: the cookie jar holds only Secure, HttpOnly, host-only __Host- cookies`,
    JSON.stringify(jar.map((c) => ({ name: c.name, secure: c.secure, httpOnly: c.httpOnly, path: c.path, domain: c.domain }))));
  return jar;
}

async function httpsJourney(context, page) {
  const origin = new URL(BASE_URL).origin;
  await context.clearCookies();

  // The plain-http port sends the browser to the same path and query on https.
  const target = '/admin?view=week&sort=date';
  let r = await page.goto(HTTPS_REDIRECT_URL + target, { waitUntil: 'load' });
  const landed = new URL(page.url());
  check(landed.origin === origin, `http ${HTTPS_REDIRECT_URL} redirects to ${origin}`, page.url());
  check(landed.pathname === '/login' && landed.searchParams.get('next') === target,
    'the redirect kept the path and query (anonymous /admin?... -> /login?next=/admin?...)', pathOf(page));
  let chain = [];
  for (let req = r.request(); req; req = req.redirectedFrom()) chain.unshift(req.url());
  check(chain.length >= 2 && chain[0].startsWith(HTTPS_REDIRECT_URL) && chain[1] === BASE_URL + target,
    'the first hop is http -> https with the same path and query', chain.join(' -> '));
  check(r.headers()['strict-transport-security'] === HSTS, 'HSTS appears exactly once on the page',
    JSON.stringify(r.headers()['strict-transport-security']));
  const tls = await r.securityDetails();
  check(tls && /^TLS 1\.[23]$/.test(tls.protocol || ''), 'the page came over TLS 1.2 or 1.3', JSON.stringify(tls));
  await checkCookieJar(context, 'anonymous');

  // A login round trip with next, over https.
  await logIn(page, ADMIN_EMAIL, ADMIN_PASSWORD);
  check(pathOf(page) === target, `after logging in the admin is back on ${target}`, pathOf(page));
  check(await mainHeading(page) === 'Admin', 'and sees the admin page');
  const jar = await checkCookieJar(context, 'logged in');
  const session = jar.find((c) => c.name === '__Host-mfo_session');
  check(session && session.sameSite === 'Lax', 'the session cookie is __Host-mfo_session, SameSite=Lax',
    JSON.stringify(jar.map((c) => c.name)));
  check(!jar.some((c) => c.name === 'mfo_session'), 'there is no unprefixed session cookie');

  // Cookie tossing: a plain-http page (or a sibling host) can plant a cookie
  // named mfo_session, here for the sibling path /admin, where the browser
  // sends it first. The app reads only __Host-mfo_session: still the admin.
  await context.addCookies([{
    name: 'mfo_session', value: crypto.randomBytes(32).toString('base64url'),
    domain: new URL(BASE_URL).hostname, path: '/admin', secure: false, httpOnly: false,
  }]);
  // A __Host- cookie for a sibling path is refused by the browser itself.
  let refused = false;
  try {
    await context.addCookies([{
      name: '__Host-mfo_session', value: crypto.randomBytes(32).toString('base64url'),
      domain: new URL(BASE_URL).hostname, path: '/admin', secure: true, httpOnly: true,
    }]);
  } catch {
    refused = true;
  }
  const sibling = (await context.cookies(BASE_URL + '/admin'))
    .filter((c) => c.name === '__Host-mfo_session' && c.path !== '/');
  check(refused || sibling.length === 0, 'the browser keeps no __Host- cookie for a sibling path',
    JSON.stringify(sibling));
  r = await goto(page, '/admin');
  check(r.status() === 200 && await mainHeading(page) === 'Admin',
    'with a planted mfo_session cookie for /admin the session is still the admin\'s', r.status());
  await checkNav(page, ADMIN_EMAIL);
  await shot(page, 'https-admin-with-planted-cookie-desktop');

  // Logged out, the planted cookie logs nobody in.
  await logOutWithNavButton(page);
  check(!(await context.cookies(BASE_URL)).some((c) => c.name === '__Host-mfo_session'),
    'logging out removes __Host-mfo_session from the jar');
  await goto(page, '/admin');
  check(new URL(page.url()).pathname === '/login', 'the planted cookie alone is not a session', pathOf(page));
}

async function main() {
  fs.mkdirSync(SHOTS, { recursive: true });
  for (const f of fs.readdirSync(SHOTS)) {
    if (f.endsWith('.png')) fs.rmSync(path.join(SHOTS, f));
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mfo-e2e-chromium-'));
  console.log(`# ${BASE_URL} with ${CHROMIUM}, screenshots in ${SHOTS}`);
  let context;
  let page;
  const problems = [];
  let rc = 0;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: DESKTOP,
      locale: 'en-US',
      timeout: 120000,
    });
    context.setDefaultTimeout(30000);
    context.setDefaultNavigationTimeout(60000);
    page = context.pages()[0] || await context.newPage();
    // The pages load nothing inline (CSP): any violation or failed
    // sub-resource is a defect of the templates or the front server.
    page.on('console', (msg) => {
      // (A 4xx page, e.g. the forbidden one, is logged as "Failed to load
      // resource": statuses are checked by the steps and the handler below.)
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        problems.push(`console: ${msg.text()}`);
      }
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('requestfailed', (req) => problems.push(`request failed: ${req.url()} ${req.failure()?.errorText}`));
    page.on('response', (res) => {
      if (res.request().resourceType() !== 'document' && res.status() >= 400) {
        problems.push(`sub-resource ${res.url()}: ${res.status()}`);
      }
    });
    await journey(context, page);
    if (HTTPS) await httpsJourney(context, page);
    check(problems.length === 0, 'no console errors, CSP violations or failed sub-resources',
      problems.join(' | '));
  } catch (err) {
    rc = 1;
    if (!(err instanceof CheckFailed)) console.log(`not ok ${checks + 1} - ${err.stack || err}`);
    if (problems.length) console.log(`# browser problems: ${problems.join(' | ')}`);
    if (page) {
      console.log(`# failed on ${page.url()}`);
      await shot(page, 'FAILED').catch(() => {});
    }
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
  console.log(rc === 0 ? `# ${checks} checks passed` : '# failed');
  process.exit(rc);
}

main();
