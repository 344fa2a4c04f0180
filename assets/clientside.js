// Clientside callbacks (no request to the server): callbacks.shell's route key, callbacks.drill's grid check,
// and the URL writes that need nothing from the server (a 下钻 row click, the 下钻 pickers): the page's own
// callback (callbacks.drill.move) is then the interaction's one request.
(function () {
// layouts/urlstate.py: the keys a URL carries, in the order they are written, and those a link between pages keeps.
const KEYS = ['round', 'system', 'region', 'org', 'as_of', 'sort', 'filter', 'status', 'light', 'source',
              'overdue_only', 'group', 'grade', 'limit', 'level'];
const SHARED = ['round', 'as_of'];

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

window.dash_clientside = Object.assign({}, window.dash_clientside, {
    urlstate: {parse: parse, encode: encode},
    drill: {
        // A click on a row of 下级: its row id is where it leads ("?…", worked out by the server with the
        // rows, callbacks.tables.rows_response); a member's row leads nowhere.
        drillDown: function (cell, search) {
            const target = cell && cell.rowId;
            if (typeof target !== 'string' || !target.startsWith('?') || target === (search || '')) {
                return window.dash_clientside.no_update;
            }
            return target;
        },
        // A picked system or region starts the drill there (a new system clears the region of the old one);
        // the pickers showing where the user already is (an org below stays open) change nothing.
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
        // What the router renders: page, URL state and language. A grid's sort/filter and, on 下钻, the node
        // (on 督导工作台 the group and date) are left out: the page updates those itself, so the router is not asked.
        routeKey: function (pathname, search, lang, previous) {
            const path = pathname || '/';
            // callbacks.shell.IN_PLACE: the keys each page updates itself.
            const inPlace = {'/drill': ['system', 'region', 'org'], '/workbench': ['group', 'as_of'], '/org': ['org'],
                             '/redline': ['limit', 'level']};
            const skip = ['sort', 'filter'].concat(inPlace[path] || []);
            const kept = [];
            new URLSearchParams(search || '').forEach((value, key) => {
                if (!skip.includes(key) && value.trim()) kept.push([key, value.trim()]);
            });
            kept.sort();
            const key = JSON.stringify([path, kept, lang || 'zh']);
            return key === previous ? window.dash_clientside.no_update : key;
        },
        // The navbar's menu button (a phone): open or close the folded links and controls.
        toggleMenu: function (clicks, open) {
            return clicks ? !open : window.dash_clientside.no_update;
        },
    },
    grids: {
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
        // A grid refreshed in place got its first page in the server's order: if the user had sorted,
        // filtered or paged it, go to the first page and ask again with the grid's own sort and filter.
        refreshed: function (live) {
            const api = live && window.dash_ag_grid && window.dash_ag_grid.getApi({type: 'report-grid', table: live.table});
            if (api) {
                const sorted = (api.getColumnState() || []).some(c => c.sort);
                const filtered = Object.keys(api.getFilterModel() || {}).length > 0;
                if (sorted || filtered || api.paginationGetCurrentPage() > 0) {
                    api.paginationGoToFirstPage();
                    api.purgeInfiniteCache();
                }
            }
            return window.dash_clientside.no_update;
        },
    },
});
})();
