import '../common/zodJitless';
// The Governance view's DOM: collapsible sections, what waits on the person first (pending
// approvals, session allowances), then the audit activity, checkpoints, runs, policy and backend.
// The page is the only scroll.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import { h, onMessage, post } from '../common/api';
import { backendBadge } from '../common/backendBadge';
import { activitySection } from './activity';
import { checkpointsSection } from './checkpoints';
import { backendSection, policySection } from './facts';
import { allowancesSection, pendingSection } from './pending';
import { runsSection } from './runs';
import { skillsSection } from './skills';
import { buildSections, SECTIONS } from './sections';

const app = document.getElementById('app')!;
// Above the sections only while the backend is not ready (then nothing below can be right) and
// for errors: both are what a person must see without opening anything.
const status = h('div', { class: 'gov-status' });
const notice = h('div', { class: 'notice', role: 'status' });
const sections = buildSections();
app.append(status, notice, ...SECTIONS.map((s) => sections[s.id].el));

const renderApprovals = pendingSection(sections.pending);
const renderAllowances = allowancesSection(sections.allowances);
const activity = activitySection(sections.activity);
const renderCheckpoints = checkpointsSection(sections.checkpoints);
const renderRuns = runsSection(sections.runs);
const renderSkills = skillsSection(sections.skills);
const renderPolicy = policySection(sections.policy);
const renderBackend = backendSection(sections.backend);
let bundles: number | undefined;

onMessage((msg) => {
  switch (msg.type) {
    case 'backend':
      renderBackend(msg);
      status.replaceChildren(...(msg.state === 'ready' ? [] : [backendBadge(msg)]));
      notice.textContent = msg.state === 'error' ? msg.detail ?? '' : '';
      break;
    case 'notice': notice.textContent = msg.text; break;
    case 'governance':
      renderPolicy(msg.policy);
      activity.renderTimeline(msg.timeline);
      activity.renderBundles(msg.bundles);
      // A bundle just exported: its Verify at hand.
      if (msg.timeline) {
        if (bundles !== undefined && msg.bundles.length > bundles) activity.openBundles();
        bundles = msg.bundles.length;
      }
      if (msg.error) notice.textContent = msg.error;
      break;
    case 'verifyResult': activity.renderVerify(msg); break;
    case 'approvals': renderApprovals(msg.approvals); break;
    case 'allowances': renderAllowances(msg.allowances, msg.sessions, msg.error); break;
    case 'checkpoints': renderCheckpoints(msg.checkpoints, msg.error); break;
    case 'runs': renderRuns(msg.runs); break;
    case 'skills':
      renderSkills(msg.skills, msg.error, msg.open);
      if (msg.open) sections.skills.el.scrollIntoView();
      break;
    default: break;
  }
});

post({ type: 'ready' });
