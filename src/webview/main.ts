import { App } from './ui/app';
import { reportFocus } from './ui/focusReport';
import { post } from './ui/vscodeApi';

const root = document.getElementById('app');
if (root) new App(root);
reportFocus(post);
