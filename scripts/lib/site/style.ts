// The site's one stylesheet (hand-written; served as /assets/site-<hash>.css). Colours keep a contrast of at least
// 4.5:1 against their background in both schemes.

export const SITE_CSS = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1b;--muted:#4f4f4f;--line:#d4d4d4;--card:#f6f7f9;--link:#0b57d0;--accent:#0b57d0;--focus:#0b57d0;--warn-fg:#7a3e00;--warn-bg:#fff1de;--ok-fg:#0f5a2a;--ok-bg:#e3f4e8}
@media (prefers-color-scheme:dark){:root{--bg:#111315;--fg:#e9e9e9;--muted:#b4b4b4;--line:#3a3d42;--card:#1b1e22;--link:#8cb6ff;--accent:#8cb6ff;--focus:#8cb6ff;--warn-fg:#ffd08a;--warn-bg:#3a2a12;--ok-fg:#9be3b0;--ok-bg:#163222}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
a{color:var(--link)}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
code,pre{font:0.9em/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem;overflow:auto;margin:0}
h1,h2,h3{line-height:1.25}
h1{font-size:1.75rem;margin:.25rem 0 .5rem}
h2{font-size:1.25rem;margin:2rem 0 .75rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
.wrap{max-width:68rem;margin:0 auto;padding:0 1rem}
.top{border-bottom:1px solid var(--line);padding:.75rem 0}
.top .wrap{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.brand{font-weight:700;color:var(--fg);text-decoration:none;font-size:1.1rem}
.top nav{margin-left:auto;display:flex;gap:1rem}
main{padding:1rem 0 3rem}
.skip{position:absolute;left:-999px}
.skip:focus{left:1rem;top:1rem;background:var(--bg);padding:.5rem;z-index:1}
.vh{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.muted{color:var(--muted)}
.search label{display:block;font-weight:600;margin-bottom:.25rem}
.search input{width:100%;font-size:1.1rem;padding:.6rem .75rem;border:2px solid var(--muted);border-radius:6px;background:var(--bg);color:var(--fg)}
.facets{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;margin:.75rem 0;padding:0;border:0}
.facets label{display:flex;flex-direction:column;font-size:.875rem;color:var(--muted)}
.facets select{font-size:1rem;padding:.3rem;border:1px solid var(--muted);border-radius:4px;background:var(--bg);color:var(--fg);min-width:9rem}
.count{font-weight:600;margin:.5rem 0}
.results{list-style:none;margin:0;padding:0}
.results li{padding:.75rem 0;border-bottom:1px solid var(--line)}
.results a{font-weight:600;font-size:1.05rem}
.results p{margin:.2rem 0}
.name{color:var(--muted);font-size:.875rem;word-break:break-all}
.tags{display:flex;flex-wrap:wrap;gap:.35rem;margin-top:.3rem;padding:0;list-style:none}
.tag{font-size:.75rem;padding:.05rem .45rem;border:1px solid var(--line);border-radius:999px;color:var(--muted)}
.tag.deprecated{color:var(--warn-fg);background:var(--warn-bg);border-color:var(--warn-fg)}
.tag.active{color:var(--ok-fg);background:var(--ok-bg);border-color:var(--ok-fg)}
.note{padding:.6rem .8rem;border-left:4px solid var(--warn-fg);background:var(--warn-bg);color:var(--warn-fg)}
.pager{display:flex;gap:1rem;margin-top:1rem}
dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.25rem 1rem;margin:0}
dl.facts dt{color:var(--muted)}
dl.facts dd{margin:0;word-break:break-word}
table{border-collapse:collapse;width:100%;font-size:.925rem}
th,td{text-align:left;padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600}
.scroll{overflow-x:auto;max-width:100%}
.long{max-width:48rem}
.long pre{margin:.75rem 0}
.long .align-center{text-align:center}.long .align-right{text-align:right}
.config{margin:1rem 0}
.config h3{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;font-size:1rem;margin:0 0 .4rem}
.config button{font:inherit;font-size:.875rem;padding:.2rem .7rem;border:1px solid var(--accent);border-radius:4px;background:var(--bg);color:var(--accent);cursor:pointer}
.config button:hover{background:var(--card)}
.copied{font-size:.875rem;color:var(--ok-fg)}
@media (max-width:40rem){h1{font-size:1.4rem}dl.facts{grid-template-columns:minmax(0,1fr)}dl.facts dd{margin-bottom:.5rem}.top nav{margin-left:0}}
`.trim().replace(/\n/g, '') + '\n';
