// Printing a page prints every row of its grids, not only the page of rows the grid draws (docs/views.md,
// "Printing"): before printing, each report grid shows up to PRINT_ROWS rows on one page (its autoHeight
// layout draws every row of a page) with every column drawn; after printing it goes back. (AG Grid's
// domLayout 'print' with the infinite row model and flex columns laid the grid out thousands of pixels wide;
// PRINT_ROWS is what the block cache holds, 20 × 20 — longer tables are for the Excel export.) The print CSS
// (assets/app.css) scales the grids down so more columns fit the A4 width. Ctrl+P does the switch on `beforeprint`; the pages' 打印
// button (data-print) first waits until the grids have fetched their rows from the server, then prints.
(function () {
    const PRINT_ROWS = 400;
    const pageSizes = new WeakMap();

    function gridApis() {
        const apis = [];
        document.querySelectorAll('div[id^="{"]').forEach(function (el) {
            let id;
            try { id = JSON.parse(el.id); } catch (e) { return; }
            if (!id || id.type !== 'report-grid' || !window.dash_ag_grid) return;
            try {
                const api = window.dash_ag_grid.getApi(el.id);
                if (api) apis.push(api);
            } catch (e) { /* a grid not drawn yet */ }
        });
        return apis;
    }

    function layout(forPrint) {
        gridApis().forEach(function (api) {
            if (!pageSizes.has(api)) pageSizes.set(api, api.getGridOption('paginationPageSize'));
            api.setGridOption('paginationPageSize', forPrint ? PRINT_ROWS : pageSizes.get(api));
            api.setGridOption('suppressColumnVirtualisation', forPrint);
        });
    }

    function loading() {
        return gridApis().some(function (api) {
            for (let i = 0; i < api.getDisplayedRowCount(); i++) {
                const node = api.getDisplayedRowAtIndex(i);
                if (!node || !node.data) return true;
            }
            return false;
        });
    }

    // Resolves once every grid shows all its rows (or after `timeout` ms: print what has arrived).
    function prepare(timeout) {
        layout(true);
        const until = Date.now() + (timeout || 15000);
        let settled = Date.now() + 300;
        return new Promise(function (resolve) {
            (function check() {
                if ((!loading() && Date.now() > settled) || Date.now() > until) { resolve(true); return; }
                if (loading()) settled = Date.now() + 300;  // a block may be asked for only once the last arrived
                setTimeout(check, 100);
            })();
        });
    }

    window.dashboardPrint = {
        prepare: prepare,
        restore: function () { layout(false); },
        print: function () { prepare().then(function () { window.print(); }); },
    };
    window.addEventListener('beforeprint', function () { layout(true); });
    window.addEventListener('afterprint', function () { layout(false); });
    document.addEventListener('click', function (event) {
        if (event.target.closest && event.target.closest('[data-print]')) window.dashboardPrint.print();
    });
})();
