// Clientside callbacks (no request to the server): callbacks.shell's route key, a page's location check
// (shell.moved), and the URLs that need nothing from the server to be worked out (the 下钻 pickers, a
// ledger's filter bar, 薄弱排名's controls): handed to the page's own move (callbacks.drill.move, …), the
// interaction's one request, whose answer writes them into the address bar (callbacks.common.write_url).
(function () {
// layouts/urlstate.py: the keys a URL carries, in the order they are written, and those a link between pages keeps.
const KEYS = ['round', 'system', 'region', 'org', 'as_of', 'sort', 'filter', 'status', 'light', 'source',
              'overdue_only', 'group', 'grade', 'limit', 'level'];
const SHARED = ['round', 'as_of'];
// layouts/shell.py MENUS: a menu's id and the pages it holds.
const MENUS = {'shell-ledger-menu': ['/rectifications', '/pledges', '/comments'],
               'shell-admin-menu': ['/users', '/settings', '/audit']};

// urlstate.parse: the known keys with a non-blank value, trimmed.
function parse(search) {
    const state = {};
    new URLSearchParams(search || '').forEach((value, key) => {
        if (KEYS.includes(key) && value.trim()) state[key] = value.trim();
    });
    return state;
}

// urlstate.encode: Python's urlencode (quote_plus) in the fixed key order, so equal states give equal links.
function quote(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, c => '%' + c.charCodeAt(0).toString(16).toUpperCase())
        .replace(/%20/g, '+');
}
function encode(state) {
    const items = KEYS.filter(k => state[k]).map(k => quote(k) + '=' + quote(state[k]));
    return items.length ? '?' + items.join('&') : '';
}

// JSON with the keys of every object sorted: two models equal whatever order their keys came in.
function canonical(value) {
    if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
    if (value && typeof value === 'object') {
        return '{' + Object.keys(value).sort().map(k => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}';
    }
    return JSON.stringify(value === undefined ? null : value);
}

// The props of the component `id` as Dash holds them now, or null before Dash's API and the component are there
// (getLayout throws for an id not in the layout).
function propsOf(id) {
    const api = window.dash_component_api;
    try {
        const component = api && api.getLayout && api.getLayout(id);
        return component ? component.props : null;
    } catch (e) {
        return null;
    }
}

// callbacks/rectifications.py FILTER_KEYS: a ledger's filter bar.
const LEDGER_KEYS = ['system', 'region', 'org', 'status', 'light', 'source', 'overdue_only'];
const PLEDGE_KEYS = ['system', 'region', 'org', 'status', 'overdue_only'];  // callbacks.rectifications.LEDGERS
// callbacks.shell.IN_PLACE: the URL keys each page updates itself (the router leaves the page alone).
const IN_PLACE = {'/drill': ['system', 'region', 'org'], '/workbench': ['group', 'as_of'], '/org': ['org'],
                  '/redline': ['limit', 'level'], '/rectifications': LEDGER_KEYS, '/pledges': PLEDGE_KEYS};

// The URL with a ledger's filters set (grid sort/filter dropped: another row set); a new system clears the
// region picked for the old one; no_update when nothing changed.
function ledgerSearch(search, values) {
    const state = parse(search);
    if (values.system !== (state.system || null) && values.region === (state.region || null)) values.region = null;
    if (LEDGER_KEYS.every(k => values[k] === (state[k] || null))) return window.dash_clientside.no_update;
    const next = {};
    Object.keys(state).forEach(k => { if (!LEDGER_KEYS.includes(k) && k !== 'sort' && k !== 'filter') next[k] = state[k]; });
    LEDGER_KEYS.forEach(k => { if (values[k]) next[k] = values[k]; });
    const search2 = encode(next);
    return search2 === (search || '') ? window.dash_clientside.no_update : search2;
}

function ledgerValues(system, region, org, status, light, source, overdue) {
    return {system: system || null, region: region || null, org: (org || '').trim() || null, status: status || null,
            light: light || null, source: source || null, overdue_only: overdue && overdue.length ? '1' : null};
}

const usedFirst = new Set();  // the tokens of the first pages a grid's request was answered from (grids.answer)
const answeredHere = {};  // table -> the row request (AG Grid's own object) answered in the browser (firstRowsAtOnce)

// Whether a grid's row request asks exactly for the first page its page brought (callbacks.tables.first_store).
function asksFirst(request, first) {
    return !!first && request.startRow === first.startRow && request.endRow === first.endRow
        && canonical(request.sortModel || []) === canonical(first.sortModel || [])
        && canonical(request.filterModel || {}) === canonical(first.filterModel || {});
}

// A grid drawn with its page gets its first rows (grid_first) the moment AG Grid asks for them. Through Dash,
// dash-ag-grid passes the request on as a prop (getRowsRequest), grids.answer returns the rows as another
// (getRowsResponse), and dash-ag-grid hands them over on its next render: a round of Dash's props, renders and
// frames, 45-50 ms of a change to a page not open yet at province (docs/SCALING.md). The datasource is dash-ag-grid's,
// set in its onGridReady: wrapped as it is set, on the grid's API, found once the grid's element is on the page.
// dash-ag-grid still records the request (the request a move's rows are pushed against, callbacks.drill.refresh);
// grids.answer then finds it answered.
function firstRowsAtOnce(datasource, table) {
    if (datasource.firstRowsAtOnce) return;
    const ask = datasource.getRows;
    datasource.firstRowsAtOnce = true;
    datasource.getRows = function (params) {
        const store = propsOf({type: 'report-grid-first', table: table});
        const first = store && store.data;
        const here = asksFirst(params, first) && !usedFirst.has(first.token);
        if (here) {
            usedFirst.add(first.token);
            answeredHere[table] = params;
        }
        ask.call(this, params);
        if (here) params.successCallback(first.response.rowData, first.response.rowCount);
    };
}

// A report grid's element: {id, api}, api null until dash-ag-grid has set the grid up (its getApi throws till
// then); null for an element that is not a report grid.
function gridOf(el) {
    let id;
    try {
        id = JSON.parse(el.id);
    } catch (e) {
        return null;
    }
    try {
        return {id, api: window.dash_ag_grid.getApi(id) || null};
    } catch (e) {
        return {id, api: null};
    }
}

// The grids whose API has not come yet (dash-ag-grid creates it after the grid's element is on the page).
const gridsWaiting = new Set();
function watchGrid(el) {
    const grid = gridOf(el);
    if (!grid) return true;  // not one of the report grids: nothing to wait for
    if (!grid.api) return false;
    const {id, api} = grid;
    const datasource = api.getGridOption('datasource');
    if (datasource) {
        firstRowsAtOnce(datasource, id.table);
    } else {
        const set = api.setGridOption;
        api.setGridOption = function (key, value) {
            if (key === 'datasource' && value) firstRowsAtOnce(value, id.table);
            return set.apply(this, arguments);
        };
    }
    return true;
}
new MutationObserver(records => {
    for (const record of records) {
        for (const node of record.addedNodes) {
            if (node.nodeType !== 1) continue;
            if (node.classList.contains('report-grid')) gridsWaiting.add(node);
            else for (const grid of node.getElementsByClassName('report-grid')) gridsWaiting.add(grid);
        }
    }
    gridsWaiting.forEach(el => { if (!el.isConnected || watchGrid(el)) gridsWaiting.delete(el); });
}).observe(document.body, {childList: true, subtree: true});
let routeSent = null;  // the last key handed to the router (askRouter)
let laterAsked = null;  // the address a page's later parts last came built for (shell.later)
const lastSearch = {};  // the query each page last had on screen (askRouter)

// A page drawn ahead (below) waits until the user has left the page on screen alone this long: no press, key
// or wheel, no Dash answer awaited or come (the page's own rows and later parts first).
const PREFETCH_QUIET_MS = 1500;
const quiet = {since: performance.now(), pending: 0, routing: 0};  // routing: the router's requests in flight
['pointerdown', 'keydown', 'wheel'].forEach(e => document.addEventListener(e, () => { quiet.since = performance.now(); }, true));
const send = window.fetch;
// A request Dash is about to make, sent the moment the user's action is known rather than after Dash's renderer
// gets to it (13-50 ms later on the machines measured, docs/SCALING.md), so the server works meanwhile: the
// router's, as a navbar link is pressed (shell.routePressed) and once any link has set its key (askRouter; seen in
// Dash's store), the request a report grid's row click sets off (cellClicked), sent as the button is pressed, and
// the move a filter's option pressed asks for (ASKS).
// Dash's own request is answered with it when its body is the same byte for byte (but the click's time); else it
// goes out as usual. A body's shape is learnt from Dash's last request for the same trigger (none before the first
// one on a page load; a pick's is also kept on this browser: keepAsk); after MISSES_MAX requests sent early and
// left unused, none are.
const ROUTE_TRIGGER = 'shell-route.data';
const ROUTER_TRIGGERS = [ROUTE_TRIGGER, 'shell-prefetch.data'];  // callbacks.shell.on_route_key's inputs
// The stores a filter's clientside function fills with the URL its page's move is asked for (layouts/ids.py:
// Drill.ASK, the ledgers' ASK, Ranking.ASK).
const ASKS = ['drill-ask', 'rect-ask', 'pledge-ask', 'ranking-ask'].map(id => id + '.data');
const MISSES_MAX = 3;
const early = {asks: {}, sent: new Map(), route: undefined, misses: 0};  // asks: trigger → Dash's last request
const sameAsk = body => body.replace(/"timestamp":\d+/, '"timestamp":0');  // the first: the click's own
const triggerOf = (id, property) => window.dash_component_api.stringifyId(id) + '.' + property;
// ahead: the values Dash does not hold yet ("id.property" → value): the trigger's, the address a link leads to.
function sendEarly(trigger, ahead) {
    const ask = early.asks[trigger] || keptAsk(trigger);
    if (!ask || early.misses >= MISSES_MAX) return;
    const payload = JSON.parse(ask.body);
    const fill = e => {
        if (Array.isArray(e)) return e.forEach(fill);
        const name = triggerOf(e.id, e.property);
        e.value = ahead && name in ahead ? ahead[name] : (propsOf(e.id) || {})[e.property];
    };
    payload.inputs.concat(payload.state || []).forEach(fill);
    const body = JSON.stringify(payload), key = sameAsk(body);
    if (early.sent.has(key)) return;
    early.sent.set(key, {trigger, answer: send.call(window, ask.url, Object.assign({}, ask.init, {body}))});
}
function watchRoute() {
    const store = (window.dash_stores || [])[0];
    if (!store) return setTimeout(watchRoute, 50);
    let layout = null;  // a dispatch that leaves the layout as it was (a callback's bookkeeping) changes no prop
    store.subscribe(() => {
        const state = store.getState();
        if (!state.paths || state.layout === layout) return;
        layout = state.layout;
        const props = propsOf('shell-route'), key = props ? props.data : undefined;
        if (key !== early.route && key !== undefined) sendEarly(ROUTE_TRIGGER);
        early.route = key;
    });
}
watchRoute();
// A press on a report grid's row: what dash-ag-grid will set as its cellClicked once the button comes up on the
// same cell (AG Grid hands its click to dash-ag-grid from a timer, 8-15 ms after the press on the machine measured).
document.addEventListener('mousedown', event => {
    const cell = event.button === 0 && event.target.closest && event.target.closest('.report-grid .ag-cell[col-id]');
    const row = cell && cell.closest('.ag-row[row-id]'), grid = row && gridOf(row.closest('.report-grid'));
    if (!grid || !grid.api || !/^\d+$/.test(row.getAttribute('row-index') || '')) return;
    const {id, api} = grid;
    // The row's node by its index: its id in the element is HTML-escaped.
    const rowIndex = Number(row.getAttribute('row-index')), node = api.getDisplayedRowAtIndex(rowIndex);
    const colId = cell.getAttribute('col-id');
    if (!node || node.id == null) return;
    const trigger = triggerOf(id, 'cellClicked');
    sendEarly(trigger, {[trigger]: {value: api.getCellValue({rowNode: node, colKey: colId}), colId, rowIndex,
                                    rowId: node.id, timestamp: Date.now()}});
}, true);
// A press on a dropdown's option whose pick a clientside function turns into a page's move (drill.pick, a
// ledger's filter bar, 薄弱排名's controls: ASKS): the URL it will work out once the option is picked, asked of the
// server at once rather than after the dropdown, its value and the function have gone through Dash (40-60 ms
// after the press for a system picked on 下钻 at province, docs/SCALING.md). The function and its arguments are
// read from Dash's callback graph.
document.addEventListener('mousedown', event => {
    const option = event.button === 0 && event.target.closest && event.target.closest('.dash-dropdown-option');
    const menu = option && option.closest('.dash-dropdown-content[id]'), input = option && option.querySelector('input');
    const picker = menu && input && document.querySelector(`[aria-controls="${CSS.escape(menu.id)}"][id]`);
    const props = picker && propsOf(picker.id), store = window.dash_stores && window.dash_stores[0];
    if (!props || props.multi || !store) return;
    const options = Array.isArray(props.options) ? props.options : Object.keys(props.options || {});
    const values = options.map(o => (o && typeof o === 'object' ? o.value : o));
    const picked = values.find(v => String(v) === input.value);  // the option's value as Dash holds it
    if (picked === undefined) return;
    const graph = store.getState().graphs || {};  // none before Dash has its callbacks
    const callbacks = ((graph.inputMap || {})[picker.id] || {}).value || [];
    callbacks.filter(c => c.clientside_function && ASKS.includes(c.output)).forEach(c => {
        const {namespace, function_name} = c.clientside_function;
        const valueOf = i => (i.id === picker.id && i.property === 'value' ? picked : (propsOf(i.id) || {})[i.property]);
        const asked = window.dash_clientside[namespace][function_name](...c.inputs.map(valueOf), ...(c.state || []).map(valueOf));
        // Nothing asked when the pick changes nothing, or asks what the store holds already (no change for Dash).
        if (typeof asked === 'string' && asked !== (propsOf(c.outputs[0].id) || {}).data) sendEarly(c.output, {[c.output]: asked});
    });
}, true);
// A pick's shape kept in localStorage, so the first pick after a page is opened is sent early too (the usual case:
// a filter is used once a page, a row click is learnt from the page's first): the ids, properties and outputs
// Dash names, every value blanked (filled in as it is sent; nothing of the data stays on the browser). A shape
// from another version of the app only misses: Dash's own request goes as usual.
const KEPT_PREFIX = 'early.ask.';
const JSON_POST = {method: 'POST', credentials: 'same-origin', headers: {'Content-Type': 'application/json'}};
function keepAsk(trigger, url, body) {
    const shape = JSON.parse(body), blank = e => (Array.isArray(e) ? e.forEach(blank) : delete e.value);
    shape.inputs.concat(shape.state || []).forEach(blank);
    try {
        localStorage.setItem(KEPT_PREFIX + trigger, JSON.stringify({url, body: JSON.stringify(shape)}));
    } catch (e) { /* storage off */ }
}
function keptAsk(trigger) {
    if (!ASKS.includes(trigger)) return null;
    try {
        const kept = JSON.parse(localStorage.getItem(KEPT_PREFIX + trigger));
        if (kept && typeof kept.url === 'string' && typeof kept.body === 'string') {
            return (early.asks[trigger] = {url: kept.url, init: JSON_POST, body: kept.body});
        }
    } catch (e) { /* storage off, or not JSON */ }
    return null;
}
// Dash's request: answered by the one sent early for it, if any; learnt from when a trigger set it off.
function answeredEarly(url, init, trigger) {
    const body = init.body;
    if (trigger !== ROUTE_TRIGGER && !ASKS.includes(trigger) && !(trigger && trigger.endsWith('.cellClicked'))) return null;
    const hit = early.sent.get(sameAsk(body));
    let left = 0;  // others sent early for the trigger (a press let go on another cell): left unread
    early.sent.forEach((sent, key) => {
        if (sent.trigger !== trigger) return;
        left += sent !== hit;
        early.sent.delete(key);
    });
    early.asks[trigger] = {url: String(url), init: Object.assign({}, init), body};
    if (ASKS.includes(trigger)) setTimeout(() => keepAsk(trigger, String(url), body), 0);  // off Dash's way
    if (hit) return hit.answer;
    if (left) {
        early.misses += 1;
        console.warn('a request sent early was not the one Dash made');
    }
    return null;
}
// The address in each page's move store (shell.moved) that Dash's last request for it carried, until the answer
// to that request came (an answer to an earlier one, overtaken, does not count): "id.property" → search. Recorded
// as the request leaves, so no address is awaited that Dash never asked for.
const moveStores = new Set(), movesAsked = {};
const moveIn = (trigger, body) => (JSON.parse(body).inputs.find(i => triggerOf(i.id, i.property) === trigger) || {}).value;
// The prop whose change set off a request to the server ("id.property").
function triggerIn(body) {
    const changed = (body.match(/"changedPropIds":(\["(?:[^"\\]|\\.)*"\])/) || [])[1];
    return changed && JSON.parse(changed)[0];
}
window.fetch = function (url, init) {
    const body = init && init.body;
    if (!String(url).includes('/_dash-update-component') || typeof body !== 'string') return send.apply(this, arguments);
    const trigger = triggerIn(body), move = moveStores.has(trigger) ? moveIn(trigger, body) : undefined;
    if (move !== undefined) movesAsked[trigger] = move;
    const answered = answeredEarly(url, init, trigger), routing = ROUTER_TRIGGERS.includes(trigger);
    quiet.pending += 1;
    quiet.routing += routing;
    const done = () => {
        quiet.pending -= 1;
        quiet.routing -= routing;
        quiet.since = performance.now();
        if (move !== undefined && movesAsked[trigger] === move) delete movesAsked[trigger];
    };
    return (answered || send.apply(this, arguments)).then(r => { done(); return r; }, e => { done(); throw e; });
};
let askedAhead = null;  // the router's record a page drawn ahead was last asked for

// The router's record (callbacks.shell.route) and its slots while the page it shows is the kept page at the
// address; null otherwise (a move on its way, a page not kept): what a page drawn ahead is asked against.
function recordOnScreen() {
    const record = propsOf('shell-rendered'), rendered = record && record.data;
    const slots = rendered && Array.isArray(rendered.slots) ? rendered.slots : [];
    const shown = slots[rendered && rendered.shown];
    return shown && shown.data != null && shown.path === (window.location.pathname || '/') ? {rendered, slots} : null;
}

// A page drawn ahead into an empty slot of the content, out of sight (callbacks.shell.prefetch), once the user
// has left the only page mounted alone a while. Asked from a timer, not from a callback on the router's record:
// Dash drops a callback whose own output leads back to it (a cycle), and the router with it.
setInterval(() => {
    if (quiet.pending || document.hidden || performance.now() - quiet.since < PREFETCH_QUIET_MS) return;
    const on = recordOnScreen(), asked = on && JSON.stringify(on.rendered);
    if (!on || asked === askedAhead || on.slots.filter(s => s).length !== 1) return;
    askedAhead = asked;
    window.dash_clientside.set_props('shell-prefetch', {data: Date.now()});
}, 250);

// layouts/ids.py page_slug: what names a page in its ids ("drill" for /drill, "overview" for /).
const slugOf = pathname => (pathname || '/').replace(/^\/+|\/+$/g, '') || 'overview';

// shell.later's first ask for the later parts of the page `own` (layouts.ids.page LATER_ASK), once the page is on
// screen and every grid above them has its rows painted (a row with an id holds data: the infinite row model
// first draws a placeholder row without one), or a second after it came on screen; nothing once the page is
// gone (drawn afresh: that one asks).
function askLater(own) {
    const shown = () => slugOf(window.location.pathname) === own;
    const painted = grid => grid.querySelector('.ag-row[row-id], .ag-overlay-no-rows-center, .empty-state, .alert');
    let box = null, came = null;
    const check = () => {
        box = box || document.querySelector(`#shell-content [data-page="${own}"]`);
        if (!box || !box.isConnected) return;
        if (!shown()) {
            came = null;
            return setTimeout(check, 200);
        }
        if (came === null) came = performance.now();
        const ready = [...box.querySelectorAll('.grid-box')].every(painted);
        // After the paint: a timeout runs once the frame is on screen.
        if (!ready && performance.now() - came <= 1000) return requestAnimationFrame(check);
        setTimeout(() => {
            if (!box.isConnected) return;
            if (!shown()) return check();
            window.dash_clientside.set_props({type: 'page-later-ask', page: own}, {data: Date.now()});
        });
    };
    requestAnimationFrame(check);
}

// askRouter without its effects: {key, value}, the value null when the router has nothing to do (the key the
// router last had, or was last handed). A page kept from before is drawn afresh (the value's last item) when its
// grid was left in another order or filter than the URL's (lastSearch: where each page was left).
function routeOf(pathname, search, lang, previous) {
    const path = pathname || '/';
    const skip = ['sort', 'filter'].concat(IN_PLACE[path] || []);
    const kept = [];
    new URLSearchParams(search || '').forEach((value, key) => {
        if (!skip.includes(key) && value.trim()) kept.push([key, value.trim()]);
    });
    kept.sort();
    const key = JSON.stringify([path, kept, lang || 'zh']), left = lastSearch[path];
    const before = previous ? JSON.stringify(JSON.parse(previous).slice(0, 3)) : null;
    if (key === before || key === routeSent) return {key, value: null};
    const redraw = left !== undefined && gridModel(left, path) !== gridModel(search, path);
    return {key, value: JSON.stringify([path, kept, lang || 'zh', redraw])};
}

// The router's key for the URL and language (what it renders: page, URL state and language), set when it names
// another page or state than the key the router last had or was handed (shell.urlChanged, shell.routeNow). A
// grid's sort/filter and, on 下钻, the node (on 督导工作台 the group and date) are left out: the page updates those
// itself, so the router is not asked. Last comes whether a page kept from before must be drawn afresh: its grid was
// left in another order or filter than the URL's (a kept page's other keys of its own follow the URL in place:
// shell.moved).
function askRouter(pathname, search, lang, previous) {
    const route = routeOf(pathname, search, lang, previous);
    lastSearch[pathname || '/'] = search || '';
    if (route.value === null) return;
    routeSent = route.key;
    quiet.since = performance.now();  // the router's answer comes before any page drawn ahead
    window.dash_clientside.set_props('shell-route', {data: route.value});
}

// What a kept page's main grid was left showing, against the URL (askRouter): its order (but on 下钻,
// whose grid follows a new sort itself, callbacks.drill.move) and its filter.
function gridModel(search, path) {
    const state = parse(search);
    return canonical([path === '/drill' ? null : state.sort || null, state.filter || null]);
}

// What a page's later parts show: its path and URL state but the grid's sort and filter (shell.later).
function laterKey(pathname, search) {
    const state = parse(search);
    delete state.sort;
    delete state.filter;
    return canonical([pathname || '/', state]);
}

// layouts/ranking.py DEFAULT_LIMIT: the N of 薄弱排名 a URL does not name.
const RANKING_LIMIT = '10';

// A click on a grid row whose id is a link to `path` ("/drill?…"): [path, query], else no change.
function openRow(cell, path) {
    const target = cell && cell.rowId;
    if (typeof target !== 'string' || !target.startsWith(path + '?')) {
        return [window.dash_clientside.no_update, window.dash_clientside.no_update];
    }
    return [path, target.slice(path.length)];
}

// A page's own location reported a URL: the URL to pass on to the page's move when it changes one of the
// page's own keys (or `also`) on the same round and date, else no_update (anything else is the router's).
// What the page shows: its main grid's state after a move (live), else the state it was drawn with (mounted).
function moveOf(search, mounted, live, keys, also) {
    const state = parse(search), shown = (live && live.state) || mounted || {};
    const outside = s => canonical(Object.keys(s).filter(k => !keys.includes(k) && k !== 'sort' && k !== 'filter')
        .sort().map(k => [k, s[k]]));
    if (outside(state) !== outside(shown)) return window.dash_clientside.no_update;
    const same = k => (state[k] || null) === (shown[k] || null);
    return keys.concat(also || []).every(same) ? window.dash_clientside.no_update : search;
}

// common.search_with: the URL with one page filter changed (grid sort/filter dropped), no_update when it is so.
function withKey(search, key, value) {
    const state = parse(search);
    if ((value || null) === (state[key] || null)) return window.dash_clientside.no_update;
    delete state.sort;
    delete state.filter;
    if (value) state[key] = value; else delete state[key];
    return encode(state);
}

// The navbar stays when the page changes (callbacks.shell.route): mark the link of the page now on screen, and the
// menu (layouts.shell.MENUS) holding it (shell.urlChanged).
function markNav(pathname) {
    const path = pathname || '/';
    const bar = document.getElementById('shell-navbar');
    if (!bar) return;
    bar.querySelectorAll('.shell-links a.nav-link:not(.dropdown-toggle), .shell-links a.dropdown-item')
        .forEach(a => a.classList.toggle('active', new URL(a.href, window.location.href).pathname === path));
    Object.entries(MENUS).forEach(([id, paths]) => {
        const toggle = bar.querySelector(`#${id} .dropdown-toggle, #${id}.dropdown-toggle`);
        if (toggle) toggle.classList.toggle('active', paths.includes(path));
    });
}

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    urlstate: {parse: parse, encode: encode},
    filters: {
        // 整改台账's filter bar (callbacks.rectifications), 承诺践诺's (callbacks.pledges): another row set.
        rectifications: function (system, region, org, status, light, source, overdue, search) {
            return ledgerSearch(search, ledgerValues(system, region, org, status, light, source, overdue));
        },
        pledges: function (system, region, org, status, overdue, search) {
            return ledgerSearch(search, ledgerValues(system, region, org, status, null, null, overdue));
        },
        // 薄弱排名's N and 组织类型 (callbacks.ranking): the URL with them, N only when not the default.
        ranking: function (limit, level, search) {
            const state = parse(search), next = Object.assign({}, state);
            delete next.limit;
            delete next.level;
            if (limit && limit !== RANKING_LIMIT) next.limit = limit;
            if (level) next.level = level;
            return canonical(next) === canonical(state) ? window.dash_clientside.no_update : encode(next);
        },
        // One page filter: 督导联系点's and 督导工作台's group, 上报进度's status, 领导点评's grade.
        group: (value, search) => withKey(search, 'group', value),
        status: (value, search) => withKey(search, 'status', value),
        grade: (value, search) => withKey(search, 'grade', value),
    },
    drill: {
        // A picked system or region starts the drill there (a new system clears the region of the old one);
        // the pickers showing where the user already is (an org below stays open) change nothing. (A click on
        // a row of 下级 goes to the server as it is: callbacks.drill.clicked.)
        pick: function (system, region, search) {
            const state = parse(search);
            system = system || null;
            region = region || null;
            if (system === (state.system || null) && region === (state.region || null)) {
                return window.dash_clientside.no_update;
            }
            if (system !== (state.system || null)) region = null;
            const next = {system: system, region: region};
            SHARED.forEach(k => { if (state[k]) next[k] = state[k]; });
            const search2 = encode(next);
            return search2 === (search || '') ? window.dash_clientside.no_update : search2;
        },
    },
    shell: {
        // A page's own location reported a URL (a link, the back or forward button, the URL a move wrote with
        // its answer, or the page just drawn): passed on to the page's move (callbacks.drill.move, …) only when
        // it names other keys of the page's own (on 下钻 also another sort) than its grid shows, on the same
        // round and date; anything else is the router's.
        // A page kept out of sight (callbacks.shell.route) sees every URL too: not its own.
        // A move asked and not answered yet (the back button, then forward before that level came) is where
        // the page is going: the URL is compared with it, not with what the grid shows still.
        moved: function (search, pathname, mounted, live) {
            const keys = IN_PLACE[pathname], context = window.dash_clientside.callback_context;
            const own = context.states_list.find(s => s.id.type === 'page-state').id.page;
            if (!keys || slugOf(pathname) !== own) return window.dash_clientside.no_update;
            const out = context.outputs_list, store = triggerOf(out.id, out.property), asked = movesAsked[store];
            moveStores.add(store);
            return moveOf(search, mounted, asked ? {state: parse(asked)} : live, keys,
                          pathname === '/drill' ? ['sort'] : []);
        },
        // A URL change (a link, the back or forward button, the URL a move wrote with its answer, the page just
        // drawn) or another language: the router's key set when it names another page or state (askRouter), and
        // the navbar's link of the page marked. The key is set, not returned: as this callback's output it would
        // hold the router's request back until this had run (Dash holds a callback while another that outputs
        // one of its inputs is pending), the key a navbar link sets at once (routeNow) included.
        urlChanged: function (pathname, search, lang, previous) {
            askRouter(pathname, search, lang, previous);
            markNav(pathname);
            return window.dash_clientside.no_update;
        },
        // Where a navbar link goes (assets/navbar.js): to a page visited before on the same round and date, the
        // address it was left at (its node, filters, sort), which its page kept mounted still shows
        // (callbacks.shell.route); the link's own address names only the round and date.
        linkTarget: function (href) {
            const url = new URL(href, window.location.origin), left = lastSearch[url.pathname];
            if (left === undefined) return href;
            const asked = parse(url.search), was = parse(left);
            return SHARED.every(k => (asked[k] || null) === (was[k] || null)) ? url.pathname + left : href;
        },
        // A navbar link pressed (assets/navbar.js): the router's request for the address it leads to, sent before
        // the click is complete (sendEarly; the click's own is answered with it). Not while a router's answer is
        // on its way (a page drawn ahead as a menu opened): landing before the click, it changes the record the
        // click's request carries, and the one sent early would be a miss.
        routePressed: function (href) {
            const route = propsOf('shell-route'), lang = propsOf('lang');
            if (!route || !lang || quiet.routing) return;
            const url = new URL(window.dash_clientside.shell.linkTarget(href), window.location.origin);
            const to = routeOf(url.pathname, url.search, lang.data, route.data);
            if (to.value === null) return;
            sendEarly(ROUTE_TRIGGER, {[ROUTE_TRIGGER]: to.value, 'url.pathname': url.pathname,
                                      'url.search': url.search});
        },
        // A press on a navbar link that ended in no click (a touch taken for a scroll, assets/navbar.js): the
        // router's request it sent early is no miss (answeredEarly), and no click will read it.
        pressDropped: function () {
            early.sent.forEach((sent, key) => { if (sent.trigger === ROUTE_TRIGGER) early.sent.delete(key); });
        },
        // A navbar link the pointer rests on (assets/navbar.js): its page drawn ahead, out of sight
        // (callbacks.shell.prefetch), unless it is mounted or the router is busy: an ask now would drop the
        // router's answer on its way (Dash keeps only the latest ask of a callback).
        drawAhead: function (href) {
            const on = recordOnScreen(), path = new URL(href, window.location.origin).pathname;
            if (quiet.routing || !on || on.slots.some(s => s && s.path === path)) return;
            window.dash_clientside.set_props('shell-prefetch', {data: {path, at: Date.now()}});
        },
        // A navbar link (assets/navbar.js), its URL just written: the router's key set at once, so its request
        // leaves a round of the renderer earlier than through the URL's change (urlChanged, which then finds the
        // key sent and changes nothing).
        routeNow: function () {
            const route = propsOf('shell-route'), lang = propsOf('lang');
            if (!route || !lang || !window.dash_clientside.set_props) return;  // the URL's change routes as before
            askRouter(window.location.pathname, window.location.search, lang.data, route.data);
        },
        // The rest of a page (layouts.components.Later): asked of the server (callbacks.shell.later_parts)
        // once every grid above has its rows on screen (or says it has none) and that frame is painted, so
        // neither their computing nor their drawing holds the first rows back (at most a second after the
        // page came); asked again when they came built for another address than the one on screen now (the
        // user moved on while they were computed). built: [pathname, search] they were built for, or null.
        // The first ask is set from a timer (askLater), not returned: a page left or drawn ahead out of sight
        // waits until it is on screen, and Dash applying a pending callback's answer to a page emptied
        // meanwhile (another language) fails.
        later: function (built) {
            const own = window.dash_clientside.callback_context.inputs_list[0].id.page;
            if (!built) {
                laterAsked = null;
                askLater(own);
                return window.dash_clientside.no_update;
            }
            // Parts come built for a page now out of sight: kept as they are.
            if (slugOf(window.location.pathname) !== own) return window.dash_clientside.no_update;
            const came = laterKey(built[0], built[1]), here = laterKey(window.location.pathname, window.location.search);
            const again = came !== here && came !== laterAsked;
            laterAsked = came;  // built twice for the same other address: the URL is not moving, stop
            return again ? Date.now() : window.dash_clientside.no_update;
        },
        // The language toggle: zh <-> en (the router draws the page again in the other language).
        toggleLanguage: function (clicks, lang) {
            if (!clicks) return window.dash_clientside.no_update;
            return (lang || 'zh') === 'zh' ? 'en' : 'zh';
        },
        // The navbar's round and date: a value other than the one the navbar was drawn with is the user's
        // (callbacks.shell.on_asked); the controls reporting what they were drawn with ask nothing.
        controls: function (round, asOf, drawn) {
            drawn = drawn || {};
            const changed = (round || null) !== (drawn.round || null) ? 'round'
                : (asOf || null) !== (drawn.as_of || null) ? 'as_of' : null;
            if (!changed) return window.dash_clientside.no_update;
            return {round: round, as_of: asOf, changed: changed};
        },
        // The navbar's menu button (a phone): open or close the folded links and controls.
        toggleMenu: function (clicks, open) {
            return clicks ? !open : window.dash_clientside.no_update;
        },
    },
    links: {
        // A click on a row whose id links to a page (worked out by the server with the rows,
        // callbacks.tables.rows_response): [that page, its query] (callbacks.tables.register_row_link).
        drill: cell => openRow(cell, '/drill'),
        org: cell => openRow(cell, '/org'),
        // A finding of 数据质量 (callbacks.quality.row_link): its org on 下钻, or for 作废场次 ("void:" and
        // the org's code) that org's void sessions below, asked of the server.
        quality: function (cell) {
            const target = cell && cell.rowId, nu = window.dash_clientside.no_update;
            if (typeof target === 'string' && target.startsWith('void:')) return [nu, nu, target.slice(5)];
            return openRow(cell, '/drill').concat([nu]);
        },
        // A point of 红线's funnel (its customdata starts with the org's code): that org on 下钻, in the
        // round, date, system and region on screen (callbacks.redline).
        funnel: function (click, search) {
            const point = ((click || {}).points || [])[0];
            const code = point && point.customdata && point.customdata[0];
            if (!code) return [window.dash_clientside.no_update, window.dash_clientside.no_update];
            const state = parse(search), next = {};
            ['round', 'as_of', 'system', 'region'].forEach(k => { if (state[k]) next[k] = state[k]; });
            next.org = String(code);
            return ['/drill', encode(next)];
        },
    },
    grids: {
        // A grid's row request: nothing when firstRowsAtOnce handed it its rows already; the first page its
        // page brought (callbacks.tables.fill) when it asks for exactly that, used once (its token remembered
        // here, so the store is not written back); anything else goes to the server (callbacks.tables.get_rows).
        answer: function (request, first) {
            const nu = window.dash_clientside.no_update;
            if (!request) return [nu, nu];
            const table = window.dash_clientside.callback_context.inputs_list[0].id.table;
            if (answeredHere[table] === request) {  // its rows handed over already (firstRowsAtOnce)
                delete answeredHere[table];
                return [nu, nu];
            }
            if (asksFirst(request, first) && !usedFirst.has(first.token)) {
                usedFirst.add(first.token);
                return [first.response, nu];
            }
            return [nu, request];
        },
        // Sorting or filtering a page's main grid writes the models into the URL (urlstate.encode_grid); the
        // page is not rebuilt (the route key leaves sort and filter out).
        toUrl: function (request, search) {
            if (!request) return window.dash_clientside.no_update;
            const state = parse(search);
            const sort = (request.sortModel || []).filter(s => s.colId).map(s => s.colId + ':' + (s.sort || 'asc'));
            const filter = request.filterModel && Object.keys(request.filterModel).length
                ? JSON.stringify(request.filterModel) : null;
            delete state.sort;
            delete state.filter;
            if (sort.length) state.sort = sort.join(',');
            if (filter) state.filter = filter;
            const next = encode(state);
            return next === (search || '') ? window.dash_clientside.no_update : next;
        },
        // A grid refreshed in place that the user had paged, sorted or filtered (callbacks.drill.refresh): back
        // to its first page, none of the rows shown before kept; its request then finds the first page the
        // server gave, or goes to the server in the grid's own order and filter.
        restart: function (first) {
            const table = window.dash_clientside.callback_context.inputs_list[0].id.table;
            const api = first && window.dash_ag_grid && window.dash_ag_grid.getApi({type: 'report-grid', table: table});
            if (api) {
                api.paginationGoToFirstPage();
                api.purgeInfiniteCache();
            }
            return window.dash_clientside.no_update;
        },
    },
});
})();
