// The navbar is HTML the server wrote (layouts/shell.py html_host: data-html): put it into the page, move its
// links like dcc.Link (no reload) and open its menus like Bootstrap's dropdowns.
(function () {
// React leaves alone what it did not write: a host's HTML stays until the server sends another.
function fill(bar) {
    bar.querySelectorAll('.html-host[data-html]').forEach(host => {
        if (host._shown !== host.dataset.html) {
            host.innerHTML = host.dataset.html;
            host._shown = host.dataset.html;
        }
    });
}
// Mutation records are handled before the browser paints: the bar never shows empty. Only the navbar's box
// (layouts/shell.py app_layout, there from the first frame) is watched: the grids' changes make no records.
function watch() {
    const bar = document.getElementById('shell-navbar');
    if (!bar) return requestAnimationFrame(watch);
    new MutationObserver(() => fill(bar)).observe(bar, {subtree: true, childList: true, attributes: true,
                                                      attributeFilter: ['data-html']});
    fill(bar);
}
watch();

function closeMenus(except) {
    document.querySelectorAll('.html-host .dropdown-menu.show').forEach(menu => {
        if (menu === except) return;
        menu.classList.remove('show');
        const toggle = menu.previousElementSibling;
        toggle.classList.remove('show');
        toggle.setAttribute('aria-expanded', 'false');
    });
}

// The navbar link an event is on (one that moves within the app), or null.
const linkAt = event => (event.target.closest && event.target.closest('.html-host a[data-link]')) || null;
// The navbar link a plain press or click is on, which moves within the app as dcc.Link does; null for anything
// else (with a modifier key the browser opens a tab as usual).
function appLink(event) {
    const link = linkAt(event);
    const plain = event.button === 0 && !(event.metaKey || event.ctrlKey || event.shiftKey || event.altKey);
    return link && plain ? link : null;
}

document.addEventListener('click', event => {
    const toggle = event.target.closest('.html-host .dropdown-toggle');
    if (toggle) {
        const menu = toggle.nextElementSibling;
        closeMenus(menu);
        const open = menu.classList.toggle('show');
        toggle.classList.toggle('show', open);
        toggle.setAttribute('aria-expanded', String(open));
        if (open) drawPick(menu);
        return;
    }
    const link = appLink(event);
    closeMenus();
    if (!link) return;
    leave();  // Enter on a link the keyboard rests on: the router is asked for it now
    remember(link);
    event.preventDefault();
    window.history.pushState({}, '', window.dash_clientside.shell.linkTarget(link.getAttribute('href')));
    window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
    window.dash_clientside.shell.routeNow();
    // On a phone the menu folds again (even while it still unfolds): the page the user asked for is under it.
    const menu = window.dash_component_api.getLayout('shell-collapse');
    if (menu && menu.props.is_open) window.dash_clientside.set_props('shell-collapse', {is_open: false});
    window.scrollTo(0, 0);
});
// A link pressed: the router is asked for its page at once (the click, a moment later, gets that answer). As the
// pointer goes down: a finger's mousedown comes only once it is lifted, just before the click.
document.addEventListener('pointerdown', event => {
    const link = appLink(event);
    if (link) window.dash_clientside.shell.routePressed(link.getAttribute('href'));
});
// A touch the browser takes for a scroll is no press: what it asked is dropped.
document.addEventListener('pointercancel', () => window.dash_clientside.shell.pressDropped());
// A link the mouse rests on POINT_MS, or the keyboard's focus FOCUS_MS: its page is drawn ahead (shell.drawAhead),
// so the click or Enter that usually follows a moment later shows it mounted. Shorter rests are the pointer
// passing over on its way elsewhere, or Tab passing over links. Moved onto, not over: a link the page's layout
// slides under a still pointer (the phone menu folding) is no sign.
const POINT_MS = 60, FOCUS_MS = 300;
let resting = null;  // {link, timer, by: 'pointer' or 'focus'}
function leave() {
    if (resting) clearTimeout(resting.timer);
    resting = null;
}
function restOn(link, by, ms) {
    if (resting && resting.link === link) return;
    leave();
    const timer = setTimeout(() => {
        resting = null;
        window.dash_clientside.shell.drawAhead(link.getAttribute('href'));
    }, ms);
    resting = {link, timer, by};
}
// A menu opened: the item picked from it last (on this browser), else its first, is drawn ahead at once, as the
// user reads the menu and moves to an item.
const PICKED = 'navbar.picked.';  // + the menu's id: the path last picked from it
function remember(link) {
    const menu = link.closest('.dropdown');
    if (!menu || !menu.id) return;
    try { localStorage.setItem(PICKED + menu.id, new URL(link.href).pathname); } catch (e) { /* storage off */ }
}
function drawPick(menu) {
    const links = [...menu.querySelectorAll('a[data-link]')];
    let last = null;
    try { last = localStorage.getItem(PICKED + menu.closest('.dropdown').id); } catch (e) { /* storage off */ }
    const pick = links.find(a => new URL(a.href).pathname === last) || links[0];
    if (pick) window.dash_clientside.shell.drawAhead(pick.getAttribute('href'));
}
document.addEventListener('pointermove', event => {
    const link = event.pointerType === 'mouse' && linkAt(event);
    if (link) restOn(link, 'pointer', POINT_MS);
});
document.addEventListener('pointerout', event => {
    if (resting && resting.by === 'pointer' && !resting.link.contains(event.relatedTarget)) leave();
});
// Focus a click gives a link is not :focus-visible: only the keyboard's counts.
document.addEventListener('focusin', event => {
    const link = linkAt(event);
    if (link && link.matches(':focus-visible')) restOn(link, 'focus', FOCUS_MS);
});
document.addEventListener('focusout', event => {
    if (resting && resting.by === 'focus' && resting.link === event.target) leave();
});
document.addEventListener('pointerdown', leave, true);  // pressed: the router is asked for it (routePressed)
document.addEventListener('keydown', event => {
    if (event.key === 'Escape') closeMenus();
});
})();
