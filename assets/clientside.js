// Clientside callbacks (no request to the server): callbacks.shell's route key, callbacks.drill's grid check.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
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
