import '@nutui/nutui-react-taro/dist/style.css';
import './app.css';
import type { PropsWithChildren } from 'react';

function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
