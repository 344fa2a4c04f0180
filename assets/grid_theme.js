// AG Grid's theme CSS, which each grid puts into the page, ends with a rule that hands --ag-* values set on a
// grid's parent down to the grid: `:has(> :where(.ag-theme-params-N)):not(…) { --ag-inherited-…: var(--ag-…) }`.
// The browser tests a :has() rule against every element at every style recalculation: it was the costliest
// selector of a page change in Chrome's selector statistics, and without it a page change's style work took a
// quarter less (docs/SCALING.md, the twenty-sixth session). The app sets its --ag-* values on the grid's own
// element (assets/app.css), never on a parent, so the rule is dropped wherever AG Grid puts it.
(function () {
const INHERITED = ':has(> :where(.ag-theme-params-';

function drop(rules, owner) {
    for (let i = rules.length - 1; i >= 0; i--) {
        const rule = rules[i];
        if (rule.selectorText && rule.selectorText.startsWith(INHERITED)) owner.deleteRule(i);
        else if (rule.cssRules) drop(rule.cssRules, rule);  // inside a @layer or @media
    }
}

function clean(node) {
    const style = node && node.nodeName === '#text' ? node.parentNode : node;
    if (style && style.nodeName === 'STYLE' && style.sheet) drop(style.sheet.cssRules, style.sheet);
}

// Dash loads this after <head> is parsed: the styles already there, then each one AG Grid adds or whose text it
// changes (the sheet is parsed again): only those are looked at.
document.head.querySelectorAll('style').forEach(clean);
new MutationObserver(records => records.forEach(record => {
    clean(record.target);
    record.addedNodes.forEach(clean);
})).observe(document.head, {childList: true, subtree: true, characterData: true});
})();
