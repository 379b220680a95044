/** Index page: only the parts every page shares (presenter toggle, scroll boxes, live reload). */
import { initPage } from '../ui/page';

initPage();
